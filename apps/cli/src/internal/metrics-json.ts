import type { Metrics } from '@dga/model';

/** The metric fields of the CLI's JSON contract (`train --json`, `evaluate --json`), in contract order. */
export interface MetricsJson {
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  rocAuc: number | null;
  threshold: number;
  confusion: Metrics['confusion'];
  perFamily: Metrics['perFamily'];
  /** TPR and threshold at 0.1 % and 1 % false-positive rate. */
  operatingPoints: Metrics['operatingPoints'];
}

/** Picks the contract's metric fields from {@link Metrics}, so every command names them the same. */
export function metricsJson(metrics: Metrics): MetricsJson {
  return {
    accuracy: metrics.accuracy,
    precision: metrics.precision,
    recall: metrics.recall,
    f1: metrics.f1,
    rocAuc: metrics.rocAuc,
    threshold: metrics.threshold,
    confusion: metrics.confusion,
    perFamily: metrics.perFamily,
    operatingPoints: metrics.operatingPoints,
  };
}
