import type { FeatureSetName } from '@dga/features';

/** The model recipes `@dga/model` knows. */
export type PresetName = 'tutorial' | 'default' | 'ngram' | 'char' | 'char-average';

/** All preset names, in documentation order. */
export const presetNames: readonly PresetName[] = ['tutorial', 'default', 'ngram', 'char', 'char-average'];

/** One hidden Dense layer of a preset (before the 2-unit softmax output). */
export interface HiddenLayerSpec {
  readonly units: number;
  readonly activation: 'relu';
  /** Keras initializer name; `heNormal` or `glorotUniform` (the Keras default). */
  readonly kernelInitializer: 'heNormal' | 'glorotUniform';
  readonly kernelRegularizer?: { readonly l1: number; readonly l2: number };
  readonly batchNormalization: boolean;
  /** Dropout rate after the layer (0 = none). */
  readonly dropout: number;
}

/** The training recipe of a preset. Every field can be overridden per run where noted. */
export interface PresetSpec {
  readonly name: PresetName;
  /** The feature set the preset was designed for; any preset runs with either set. */
  readonly featureSet: FeatureSetName;
  readonly hidden: readonly HiddenLayerSpec[];
  /** Adam learning rate (the peak rate when `schedule` is cosine). */
  readonly learningRate: number;
  /**
   * Per-step learning-rate schedule. `constant` keeps `learningRate`; `cosine` warms up linearly
   * over `warmupSteps` optimizer steps (at most a tenth of all planned steps), then decays along a half cosine to
   * `learningRate · finalFraction` at the last step of the last epoch.
   */
  readonly schedule: { readonly kind: 'constant' } | { readonly kind: 'cosine'; readonly warmupSteps: number; readonly finalFraction: number };
  /** Maximum epochs on `featureSet` and any set not in `epochsByFeatureSet` (`trainModel({ epochs })` overrides). */
  readonly epochs: number;
  /**
   * Maximum epochs on other feature sets, where they differ: narrower inputs make a step cheaper
   * and need more steps to converge.
   */
  readonly epochsByFeatureSet?: Readonly<Partial<Record<FeatureSetName, number>>>;
  /** `trainModel({ batchSize })` overrides. */
  readonly batchSize: number;
  /** Share of all rows held out for testing, never trained on. */
  readonly testFraction: number;
  /** Share of all rows held out for validation (early stopping). 0 = no validation split. */
  readonly validationFraction: number;
  /** Standardize inputs with training-split mean/std, folded into the first Dense layer. */
  readonly standardize: boolean;
  /** Epochs without improvement of `monitor` before stopping; undefined = no early stop. */
  readonly patience: number | undefined;
  /**
   * What early stopping watches and the kept weights maximize: `valLoss` (Keras's default) or
   * `valAuc`, the validation ROC AUC. Cross-entropy keeps rising once a confident model overfits a
   * few rows while its ranking (AUC) and F1 still improve, so loss stops too early for `default`.
   */
  readonly monitor: 'valLoss' | 'valAuc';
  /**
   * One-hot-like encoding of the `length` input: the network also sees the flags
   * `[length ≥ k]` for k = 2…`maxLength` (a thermometer code; longer labels set every flag).
   * Many DGA families emit labels of a few exact lengths, a step a ReLU network on the scalar
   * length learns slowly and blurs. The saved model still takes the raw features: its first layer,
   * a weightless `LengthEncoding` named `length_encoding`, appends the flags, and the
   * standardization is folded into the next Dense layer; `@dga/onnx-export` converts it to four
   * ONNX nodes.
   */
  readonly lengthEncoding?: { readonly maxLength: number };
  /**
   * A character branch beside the feature branch (needs a feature set with character codes, such
   * as `char`): the codes are one-hot encoded in windows of `window` consecutive characters, a
   * Dense layer of `units` (relu) is applied at every window position with shared weights, and
   * the maximum over positions is concatenated with the output of the first hidden layer (which
   * then sees every input but the codes) before the next one. The saved model stays one float
   * input: weightless `CharacterWindows` and `DropColumns` layers split it inside the graph.
   */
  readonly characterBranch?: {
    readonly window: number;
    readonly units: number;
    /**
     * How the branches meet. `concatenate` (the default): as above. `average`: each branch ends in
     * its own 2-unit softmax head (the feature branch after every hidden layer, the character
     * branch after a Dense of `headUnits`, relu, on the maximum), the model outputs the mean of
     * the two heads' probabilities, and training minimizes the mean of the heads' cross-entropies.
     */
    readonly join?: { readonly kind: 'concatenate' } | { readonly kind: 'average'; readonly headUnits: number };
  };
}

const tutorialPreset: PresetSpec = {
  name: 'tutorial',
  featureSet: 'tutorial',
  hidden: [
    { units: 10, activation: 'relu', kernelInitializer: 'heNormal', kernelRegularizer: { l1: 0, l2: 0.01 }, batchNormalization: true, dropout: 0.3 },
    { units: 7, activation: 'relu', kernelInitializer: 'heNormal', kernelRegularizer: { l1: 0.001, l2: 0.001 }, batchNormalization: true, dropout: 0.3 },
    { units: 5, activation: 'relu', kernelInitializer: 'heNormal', kernelRegularizer: { l1: 0.001, l2: 0.001 }, batchNormalization: false, dropout: 0 },
  ],
  learningRate: 0.001,
  schedule: { kind: 'constant' },
  epochs: 10,
  batchSize: 7,
  testFraction: 0.2,
  validationFraction: 0,
  standardize: false,
  patience: undefined,
  monitor: 'valLoss',
};

const defaultPreset: PresetSpec = {
  name: 'default',
  featureSet: 'bigram',
  hidden: [
    { units: 128, activation: 'relu', kernelInitializer: 'heNormal', batchNormalization: false, dropout: 0 },
    { units: 64, activation: 'relu', kernelInitializer: 'heNormal', batchNormalization: false, dropout: 0 },
  ],
  learningRate: 0.004,
  schedule: { kind: 'cosine', warmupSteps: 50, finalFraction: 0.02 },
  epochs: 6,
  epochsByFeatureSet: { extended: 10, tutorial: 12 },
  batchSize: 512,
  testFraction: 0.2,
  validationFraction: 0.1,
  standardize: true,
  patience: 3,
  monitor: 'valAuc',
  lengthEncoding: { maxLength: 40 },
};

const ngramPreset: PresetSpec = {
  ...defaultPreset,
  name: 'ngram',
  featureSet: 'ngram',
};

const charPreset: PresetSpec = {
  ...defaultPreset,
  name: 'char',
  featureSet: 'char',
  characterBranch: { window: 3, units: 32 },
};

const charAveragePreset: PresetSpec = {
  ...charPreset,
  name: 'char-average',
  characterBranch: { window: 3, units: 32, join: { kind: 'average', headUnits: 64 } },
};

const presets: Readonly<Record<PresetName, PresetSpec>> = {
  tutorial: tutorialPreset,
  default: defaultPreset,
  ngram: ngramPreset,
  char: charPreset,
  'char-average': charAveragePreset,
};

/**
 * The recipe of a preset.
 *
 * - `tutorial`: Devo's Keras tutorial model layer by layer: Dense(10, relu, he_normal, L2 0.01)
 *   → BatchNormalization → Dropout(0.3) → Dense(7, relu, he_normal, L1L2(0.001, 0.001)) →
 *   BatchNormalization → Dropout(0.3) → Dense(5, relu, he_normal, L1L2(0.001, 0.001)) →
 *   Dense(2, softmax, glorot_uniform); adam(0.001), categorical cross-entropy, 10 epochs, batch 7,
 *   no validation split, no early stopping, raw (unstandardized) inputs.
 * - `default`: the 242-feature `bigram` set plus flags `[length ≥ k]` for k = 2…40, standardized
 *   (the flags and the standardization are computed inside the saved model, which takes raw
 *   features), Dense 128 → 64 (relu, he_normal) → Dense(2, softmax); adam with a cosine schedule
 *   (50 warm-up steps to 0.004, decaying to 2 % of it), batch 512, 6 epochs (10 on `extended`, 12
 *   on `tutorial`: cheaper steps, slower convergence), early stopping on the validation ROC AUC of
 *   a 10 % validation split (patience 3, best weights kept). Trains in 12–28 s on 2 cores with the
 *   wasm backend (6 epochs of 2–4 s, depending on the machine's load; docs/decisions/0015). Chosen by held-out measurements (docs/decisions/0007, 0008): the 42 unigram
 *   features of `extended` cap an MLP near F1 0.90 / AUC 0.96 whatever its size; bigram flags lift
 *   it past 0.92 / 0.97; the length flags add about +0.01 F1 on every feature set (many DGA
 *   families emit a few exact lengths); validation loss stopped too early (epoch 3 of 6).
 * - `ngram`: `default`'s network and schedule on the 244-feature `ngram` set (`bigram` plus the
 *   English and rare pair shares, n-gram plausibility features). Measured on families held out of
 *   training (docs/decisions/0013), it raises ROC AUC a little but not the TPR at 1 % FPR, and its
 *   query needs `substring` and is about 21 kB, so `default` stays the default.
 * - `char`: `default`'s recipe on the 266-feature `char` set with a character branch (32 units
 *   over windows of 3 characters) joined to the first hidden layer's output before the second
 *   (docs/decisions/0016): better on held-out families, 3.5–5× slower per step.
 * - `char-average`: the same branches, each ending in its own softmax head (the character branch
 *   through a Dense 64 first), the output their average, trained on the mean of the heads'
 *   cross-entropies. Better than `char` on held-out families (ROC AUC +0.02, TPR at 1 % FPR
 *   +0.01) at the same split F1 and about the same step cost (docs/decisions/0016).
 *
 * @example
 * getPreset('tutorial').batchSize; // 7
 */
export function getPreset(name: PresetName): PresetSpec {
  return presets[name];
}
