import { readDataset } from '@dga/dataset';
import * as tf from '@tensorflow/tfjs';
import { trainModel, streamTrainingExamples, computeMetrics } from '../src/index';
await tf.setBackend('cpu');
const file = process.argv[2] ?? '/work/shared/data/sample-small.csv';
const preset = (process.argv[3] ?? 'default') as 'default' | 'tutorial';
const featureSet = (process.argv[4] ?? 'extended') as 'extended' | 'tutorial';
const epochs = process.argv[5] ? Number(process.argv[5]) : undefined;
const result = await trainModel({
  preset, featureSet, ...(epochs ? { epochs } : {}),
  examples: () => streamTrainingExamples(readDataset(file), featureSet),
  callbacks: {
    onTrainBegin: (e) => console.log(JSON.stringify(e)),
    onEpochEnd: (e) => console.log(JSON.stringify(e)),
    onBatchEnd: (e) => { if (e.batch % 2000 === 0) console.log(JSON.stringify(e)); },
  },
});
const m = computeMetrics(result.test);
console.log({ f1: m.f1, auc: m.rocAuc, acc: m.accuracy, best: m.bestThreshold, seconds: result.seconds, msPerStep: result.msPerStep, bestEpoch: result.bestEpoch });
