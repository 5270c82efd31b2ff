import type * as tf from '@tensorflow/tfjs';
import type { PresetSpec } from '../presets';

/** One epoch's validation values, as early stopping monitors them. */
export interface MonitoredValues {
  valLoss: number | undefined;
  valAuc: number | undefined;
}

/**
 * Tracks the best epoch of the preset's `monitor` (lower is better for both: the loss, and
 * 1 − AUC), keeps a copy of its weights when early stopping is on (`patience` set), and says when
 * to stop. Without validation rows every epoch is the best and training never stops early.
 */
export class EarlyStopping {
  private bestMonitored = Number.POSITIVE_INFINITY;
  private epochsWithoutImprovement = 0;
  private bestWeights: tf.Tensor[] | undefined;
  /** The epoch whose weights are kept. */
  bestEpoch = 0;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly monitor: PresetSpec['monitor'],
    private readonly patience: number | undefined,
    private readonly hasValidation: boolean,
  ) {}

  /** Records an epoch's values; returns true when it improved on the best so far. */
  update(epoch: number, values: MonitoredValues): boolean {
    const monitored = this.monitor === 'valAuc' ? 1 - (values.valAuc ?? Number.NaN) : (values.valLoss ?? Number.NaN);
    const improved = this.hasValidation && monitored < this.bestMonitored;
    if (improved) {
      this.bestMonitored = monitored;
      this.bestEpoch = epoch;
      this.epochsWithoutImprovement = 0;
      if (this.patience !== undefined) {
        this.dispose();
        this.bestWeights = this.model.getWeights().map((weight) => weight.clone());
      }
    } else {
      this.epochsWithoutImprovement += 1;
    }
    if (!this.hasValidation) this.bestEpoch = epoch;
    return improved;
  }

  /** True when `patience` epochs in a row did not improve and epochs remain. */
  shouldStop(epoch: number, epochs: number): boolean {
    return this.patience !== undefined && this.hasValidation && this.epochsWithoutImprovement >= this.patience && epoch < epochs;
  }

  /**
   * Restores the best weights into the model, if kept, and returns the epoch they are from;
   * without kept weights the last of `epochsRun` epochs is kept.
   */
  restoreBest(epochsRun: number): number {
    if (this.bestWeights === undefined) {
      this.bestEpoch = epochsRun;
    } else {
      this.model.setWeights(this.bestWeights);
      this.dispose();
    }
    return this.bestEpoch;
  }

  /** Frees the kept weights. */
  dispose(): void {
    this.bestWeights?.forEach((tensor) => tensor.dispose());
    this.bestWeights = undefined;
  }
}
