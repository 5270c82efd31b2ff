import type { OperatingPoint } from './compute-metrics';

/**
 * How family-held-out folds are trained (`@dga/pipeline` runs them): usually cheaper than the run
 * itself (fewer epochs, a sample of the rows).
 */
export interface FamilyHoldoutProtocol {
  /** Groups of DGA families; each fold trains without one group and scores it. */
  folds: number;
  /** Epochs per fold (the preset's schedule compressed to them). */
  epochs: number;
  /** Rows of each training family a fold trains on (a seeded sample); null: all. */
  maxTrainRowsPerFamily: number | null;
  /** Share of the other folds' legit labels a fold trains on (a seeded sample); 1: all. */
  legitTrainFraction: number;
}

/** Threshold-free figures of scored held-out rows: ROC AUC and the operating points. */
export interface HoldoutFigures {
  rows: { legit: number; dga: number };
  /** null when a class is missing (never NaN). */
  rocAuc: number | null;
  /** TPR and threshold at 0.1 % and 1 % FPR. */
  operatingPoints: OperatingPoint[];
}

/** One fold: the families it held out and how its model scored them. */
export interface HoldoutFold extends HoldoutFigures {
  /** 1-based. */
  fold: number;
  families: string[];
  /** Rows the fold's model trained on (train and validation splits). */
  trainRows: number;
  /** The fold model's threshold (chosen on its validation split like the run's). */
  threshold: number;
  /** Share of the fold's held-out legit labels below `threshold` (true-negative rate). */
  legitPassed: number;
}

/** The family-held-out evaluation of a recipe, as `metrics.json` and the model card hold it. */
export type FamilyHoldoutResult =
  | {
      status: 'done';
      protocol: FamilyHoldoutProtocol & { seed: number; targetFpr: number | null };
      /** Every fold's scores together: each DGA family and each legit label is scored once, by a model that never saw it. */
      pooled: HoldoutFigures;
      folds: HoldoutFold[];
      /** Per DGA family: its fold, held-out rows and recall at its fold's threshold. Keys sorted. */
      perFamily: Record<string, { fold: number; count: number; recall: number }>;
    }
  | {
      status: 'skipped';
      /** Why, in words, e.g. `needs at least 2 DGA families, found 1 (banjori)`. */
      reason: string;
    };

