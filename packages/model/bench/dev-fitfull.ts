import * as tf from '@tensorflow/tfjs';
import { readDataset } from '@dga/dataset';
import { createModel, streamTrainingExamples, computeMetrics } from '../src/index';
await tf.setBackend('cpu');
const xs: number[] = []; const ys: number[] = []; const labels: number[] = [];
let i = 0;
for await (const e of streamTrainingExamples(readDataset('/work/shared/data/dga-training.csv'), 'tutorial')) { xs.push(...e.features); ys.push(e.label === 0 ? 1 : 0, e.label); labels.push(e.label); }
const n = labels.length; const ntr = Math.floor(n * 0.8);
const model = createModel({ preset: 'tutorial', featureSet: 'tutorial', seed: Number(process.argv[2] ?? 42) });
const X = tf.tensor2d(xs.slice(0, ntr * 3), [ntr, 3]); const Y = tf.tensor2d(ys.slice(0, ntr * 2), [ntr, 2]);
const t = performance.now();
const h = await model.fit(X, Y, { batchSize: 7, epochs: 1, verbose: 0, shuffle: true });
console.log(h.history, (performance.now() - t) / Math.ceil(ntr / 7), 'ms/step');
const Xt = tf.tensor2d(xs.slice(ntr * 3), [n - ntr, 3]);
const p = (model.predict(Xt) as tf.Tensor).arraySync() as number[][];
const m = computeMetrics({ scores: p.map(r => r[1]!), labels: labels.slice(ntr) });
console.log(m.f1, m.rocAuc);
