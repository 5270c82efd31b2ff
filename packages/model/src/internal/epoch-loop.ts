import * as tf from '@tensorflow/tfjs';
import { ModelAbortError, ModelError, throwIfAborted } from '../errors';
import type { EpochLog, TrainingCallbacks } from '../train-model';
import type { EarlyStopping } from './early-stopping';
import type { Rng } from './rng';
import { scoreSplit } from './score-split';
import { streamTrainBatches } from './train-batches';
import type { TrainingData } from './training-data';
import type { TrainingSettings } from './training-settings';
import type { TrainingStep } from './training-step';
import { computeValidationMetrics, type ValidationMetrics } from './validation-metrics';
import { useTransposeFreeWasmMatMul } from './wasm-matmul';

/** Everything the epoch loop of `trainModel` works with. */
export interface EpochLoopOptions {
  data: TrainingData;
  /** The network in training (standardized encoded rows in). */
  model: tf.LayersModel;
  step: TrainingStep;
  earlyStopping: EarlyStopping;
  settings: TrainingSettings;
  stepsPerEpoch: number;
  /** Rows in the validation split; without any, there is no validation pass. */
  validationRows: number;
  /** The learning rate of each global step. */
  learningRateAt: (globalStep: number) => number;
  /** Shuffles the training rows, epoch after epoch. */
  shuffleRng: Rng;
  callbacks: TrainingCallbacks | undefined;
  now: () => number;
}

/** What the epoch loop did. */
export interface EpochLoopResult {
  history: EpochLog[];
  stoppedEarly: boolean;
  totalSteps: number;
  totalStepMs: number;
}

/** Running totals of one epoch's training steps. */
interface EpochTotals {
  lossSum: number;
  correct: number;
  seen: number;
  step: number;
}

/**
 * Trains up to `settings.epochs` epochs: each one a pass over shuffled training batches, then a
 * validation pass (when there are validation rows) that early stopping watches. Emits the
 * `batch-end` and `epoch-end` events and stops promptly when the signal aborts. On the wasm
 * backend, the gradients' matrix products run through XNNPACK meanwhile
 * ({@link useTransposeFreeWasmMatMul}).
 */
export async function runEpochLoop(options: EpochLoopOptions): Promise<EpochLoopResult> {
  const releaseMatMul = useTransposeFreeWasmMatMul();
  try {
    return await trainEpochs(options);
  } finally {
    releaseMatMul();
  }
}

async function trainEpochs(options: EpochLoopOptions): Promise<EpochLoopResult> {
  const { data, settings, callbacks, now } = options;
  const { epochs } = settings;
  const history: EpochLog[] = [];
  let stoppedEarly = false;
  let totalSteps = 0;
  let totalStepMs = 0;
  const trainingStarted = now();
  for (let epoch = 1; epoch <= epochs; epoch += 1) {
    const epochStarted = now();
    const totals = await trainEpoch(options, epoch, totalSteps, trainingStarted);
    const stepMs = now() - epochStarted;
    totalSteps += totals.step;
    totalStepMs += stepMs;
    const validation = options.validationRows > 0 ? await validate(options) : { valLoss: undefined, valAccuracy: undefined, valAuc: undefined };
    const improved = options.earlyStopping.update(epoch, validation);
    const seconds = (now() - epochStarted) / 1000;
    const log: EpochLog = { epoch, loss: totals.lossSum / totals.seen, accuracy: totals.correct / totals.seen, ...validation, seconds, msPerStep: stepMs / totals.step };
    history.push(log);
    const elapsedSeconds = (now() - trainingStarted) / 1000;
    await callbacks?.onEpochEnd?.({ type: 'epoch-end', epochs, ...log, etaSeconds: (elapsedSeconds / epoch) * (epochs - epoch), improved });
    throwIfAborted(data.signal, 'trainModel');
    if (options.earlyStopping.shouldStop(epoch, epochs)) {
      stoppedEarly = true;
      break;
    }
  }
  return { history, stoppedEarly, totalSteps, totalStepMs };
}

/** One pass over the shuffled training batches; `stepsBefore` counts the steps of earlier epochs. */
async function trainEpoch(options: EpochLoopOptions, epoch: number, stepsBefore: number, trainingStarted: number): Promise<EpochTotals> {
  const { data, settings, stepsPerEpoch, callbacks, now } = options;
  const { epochs, batchEventInterval } = settings;
  const totals: EpochTotals = { lossSum: 0, correct: 0, seen: 0, step: 0 };
  for await (const batch of streamTrainBatches(data, options.shuffleRng, settings.batchSize, settings.shuffleBufferRows)) {
    const { loss, correct } = options.step.run(batch, options.learningRateAt(stepsBefore + totals.step));
    totals.correct += correct;
    totals.lossSum += loss * batch.count;
    totals.seen += batch.count;
    totals.step += 1;
    const step = totals.step;
    if (!Number.isFinite(loss)) {
      throw new ModelError('ERR_MODEL_TRAINING_DIVERGED', `trainModel: the loss became ${loss} at epoch ${epoch}, step ${step}; check the examples for NaN/Infinity features or lower learningRate (now ${settings.learningRate}).`);
    }
    if (data.signal?.aborted === true) throw new ModelAbortError('trainModel', { cause: data.signal.reason });
    if (step % batchEventInterval === 0 || step === stepsPerEpoch) {
      const elapsed = now() - trainingStarted;
      const doneSteps = (epoch - 1) * stepsPerEpoch + step;
      await callbacks?.onBatchEnd?.({
        type: 'batch-end',
        epoch,
        epochs,
        batch: step,
        stepsPerEpoch,
        loss: totals.lossSum / totals.seen,
        accuracy: totals.correct / totals.seen,
        etaSeconds: ((elapsed / doneSteps) * (epochs * stepsPerEpoch - doneSteps)) / 1000,
      });
    }
    if ((step & 31) === 0) await data.maybeYield();
  }
  return totals;
}

/** Scores the validation split with the network in training and measures it. */
async function validate(options: EpochLoopOptions): Promise<ValidationMetrics> {
  const { model } = options;
  const scored = await scoreSplit(options.data, 'validation', model, 'network');
  const regularizationLoss = tf.tidy(() => model.calculateLosses().reduce((total, loss) => total + loss.dataSync()[0]!, 0));
  return computeValidationMetrics(scored, regularizationLoss);
}
