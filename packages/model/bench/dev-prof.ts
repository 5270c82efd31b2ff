import * as tf from '@tensorflow/tfjs';
import { trainModel } from '../src/index';
await tf.setBackend('cpu');
const ex = Array.from({ length: 14000 }, (_, i) => ({ features: Float32Array.of(i % 17, (i % 5) / 2, (i % 3) / 3), label: (i % 2) as 0 | 1, subclass: 'x', key: 'k' + i }));
const r = await trainModel({ preset: 'tutorial', featureSet: 'tutorial', examples: () => ex, epochs: 1, testFraction: 0.01 });
console.log('msPerStep', r.msPerStep);
