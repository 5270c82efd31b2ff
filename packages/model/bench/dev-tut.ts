import * as tf from '@tensorflow/tfjs';
import { readDataset } from '@dga/dataset';
import { trainModel, streamTrainingExamples, computeMetrics } from '../src/index';
await tf.setBackend('cpu');
const file = '/work/shared/data/sample-small.csv';
const r = await trainModel({ preset: 'tutorial', featureSet: 'tutorial', epochs: Number(process.argv[2] ?? 3), examples: () => streamTrainingExamples(readDataset(file), 'tutorial'), callbacks: { onEpochEnd: (e) => console.log(e.epoch, e.loss, e.accuracy) } });
const m = computeMetrics(r.test);
console.log(m.f1, m.rocAuc, r.test.scores.slice(0, 8));
for (const l of r.model.layers) console.log(l.name, l.getWeights().map(w => Array.from(w.dataSync()).slice(0, 6).map(v => v.toFixed(3)).join(',')).join(' | '));
