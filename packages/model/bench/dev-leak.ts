import * as tf from '@tensorflow/tfjs';
import { trainModel } from '../src/index';
await tf.setBackend('cpu');
const ex = Array.from({ length: 500 }, (_, i) => ({ features: Float32Array.of(i % 7, i % 3, i % 2), label: (i % 2) as 0 | 1, subclass: 'x', key: 'k' + i }));
for (let r = 0; r < 3; r++) {
  const c = new AbortController();
  await trainModel({ preset: 'tutorial', featureSet: 'tutorial', examples: () => ex, batchEventInterval: 10, signal: c.signal, callbacks: { onBatchEnd: () => c.abort() } }).catch(e => console.log(e.code));
  console.log('after abort', tf.memory().numTensors);
  const res = await trainModel({ preset: 'tutorial', featureSet: 'tutorial', examples: () => ex, epochs: 1 });
  res.model.dispose();
  console.log('after full', tf.memory().numTensors);
}
