import * as tf from '@tensorflow/tfjs';
import { readDataset } from '@dga/dataset';
import { createModel, streamTrainingExamples, computeMetrics } from '../src/index';
await tf.setBackend('cpu');
const xs: number[] = []; const ys: number[] = []; const labels: number[] = [];
for await (const e of streamTrainingExamples(readDataset('/work/shared/data/sample-small.csv'), 'tutorial')) { xs.push(...e.features); ys.push(e.label === 0 ? 1 : 0, e.label); labels.push(e.label); }
const n = labels.length;
const model = createModel({ preset: 'tutorial', featureSet: 'tutorial', seed: Number(process.argv[2] ?? 42) });
const X = tf.tensor2d(xs, [n, 3]); const Y = tf.tensor2d(ys, [n, 2]);
const h = await model.fit(X, Y, { batchSize: 7, epochs: 3, verbose: 0, shuffle: true });
console.log(h.history);
const p = (model.predict(X) as tf.Tensor).arraySync() as number[][];
console.log(computeMetrics({ scores: p.map(r => r[1]!), labels }).rocAuc);
