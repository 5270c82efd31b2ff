import type { FeatureSet } from '@dga/features';
import { ModelError } from '../errors';
import type { PresetSpec } from '../presets';

/**
 * The `length` thermometer code of a preset on a feature set: the network's inputs are the
 * features, then `flag_k = clip(length − k + 1, 0, 1)` for k = 2…maxLength (for whole lengths,
 * `[length ≥ k]`).
 */
export interface LengthEncoding {
  /** Index of `length` in the feature set. */
  readonly lengthIndex: number;
  /** Number of flags: maxLength − 1. */
  readonly thresholds: number;
}

/** The preset's length encoding for a feature set, or undefined when the preset has none. */
export function resolveLengthEncoding(preset: PresetSpec, featureSet: FeatureSet): LengthEncoding | undefined {
  if (preset.lengthEncoding === undefined) return undefined;
  const lengthIndex = featureSet.features.findIndex((feature) => feature.name === 'length');
  if (lengthIndex < 0) {
    throw new ModelError('ERR_MODEL_INVALID_OPTION', `preset "${preset.name}" encodes the "length" feature, but feature set "${featureSet.name}" has none; use a feature set that starts with length, entropy, vowel_proportion.`);
  }
  return { lengthIndex, thresholds: preset.lengthEncoding.maxLength - 1 };
}

/** Width of the network's input: the features plus one flag per threshold. */
export function encodedWidth(size: number, encoding: LengthEncoding | undefined): number {
  return size + (encoding?.thresholds ?? 0);
}

/** Writes the encoded row of `features` (width `size`) into `out` at `offset`. */
export function encodeRow(features: ArrayLike<number>, size: number, encoding: LengthEncoding | undefined, out: Float32Array, offset: number): void {
  for (let index = 0; index < size; index += 1) out[offset + index] = features[index]!;
  if (encoding === undefined) return;
  const length = features[encoding.lengthIndex]!;
  for (let flag = 0; flag < encoding.thresholds; flag += 1) {
    // k = flag + 2; the same clip the saved model's LengthEncoding layer computes.
    out[offset + size + flag] = Math.min(1, Math.max(0, length - flag - 1));
  }
}
