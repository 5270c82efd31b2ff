import { featureSetNames, getFeatureSet, type FeatureSet, type FeatureSetName, type PslMode } from '@dga/features';
import { OnnxExportError } from './onnx-export-error';
import { readOnnxModelInfo, type OnnxModelInfo } from './read-onnx-model-info';

/**
 * The class of each output column of a DGA classifier: index 0 = legit, 1 = DGA. Recorded in
 * every model as `dga.label_names`.
 *
 * @example
 * const pDga = scores[row * MODEL_LABEL_NAMES.length + MODEL_LABEL_NAMES.indexOf('dga')];
 */
export const MODEL_LABEL_NAMES: readonly ['legit', 'dga'] = ['legit', 'dga'];

/** What {@link createModelMetadata} records besides what the feature set implies. */
export interface ModelMetadataOptions {
  /** The feature set the model was trained on. */
  featureSet: FeatureSetName;
  /**
   * The feature names the model was trained with, in input order (e.g. from a model card).
   * Checked against the feature set's own names; omit to use them.
   * @default the feature set's `featureNames`
   */
  featureNames?: readonly string[];
  /**
   * The feature set version the model was trained with (e.g. from a model card).
   * @default the feature set's current `version`
   */
  featureSetVersion?: number;
  /** Training seed. */
  seed: number;
  /** `@dga/model` preset name, e.g. `default`. */
  preset: string;
  /** tfjs backend the model was trained on, e.g. `tensorflow`, `wasm`. */
  tfjsBackend: string;
  /**
   * Public Suffix List rules of the training labels (`extractLabel`'s `psl`), recorded as
   * `dga.psl_mode`; classification must extract labels the same way. @default 'all'
   */
  pslMode?: PslMode;
  /**
   * The decision threshold on P(DGA) the model was tuned for (`dga.threshold`): a row is DGA when
   * its score is at least this. Classification uses it unless told otherwise. Omit to record none.
   */
  threshold?: number;
  /**
   * The false-positive rate `threshold` was chosen for on the validation split (`dga.target_fpr`),
   * in (0, 1). Omit when the threshold was given rather than chosen.
   */
  targetFpr?: number;
}

/** A DGA classifier's contract, read and checked by {@link readModelContract}. */
export interface ModelContract {
  /** Input/output names and sizes, opset and raw metadata of the ONNX model. */
  readonly info: OnnxModelInfo;
  /** The feature set the model takes (`dga.feature_set`). */
  readonly featureSet: FeatureSetName;
  /** `dga.feature_set_version` as recorded. */
  readonly featureSetVersion: number;
  /** Feature names in input order (equal to the feature set's). */
  readonly featureNames: readonly string[];
  /** `['legit', 'dga']`: output column 1 is P(DGA). */
  readonly labelNames: readonly string[];
  /** `dga.seed`, `dga.preset`, `dga.tfjs_backend` when recorded. */
  readonly seed: number | undefined;
  readonly preset: string | undefined;
  readonly tfjsBackend: string | undefined;
  /** `dga.psl_mode`: the PSL rules of the training labels (`all` when not recorded). */
  readonly pslMode: PslMode;
  /** `dga.threshold`: the decision threshold the model was tuned for, in [0, 1]; undefined when not recorded. */
  readonly threshold: number | undefined;
  /** `dga.target_fpr`: the validation false-positive rate the threshold was chosen for, in (0, 1); undefined when not recorded. */
  readonly targetFpr: number | undefined;
  /** Things that do not stop the model from being used, e.g. an older feature set version. */
  readonly warnings: readonly string[];
}

const keys = {
  featureSet: 'dga.feature_set',
  featureSetVersion: 'dga.feature_set_version',
  featureNames: 'dga.feature_names',
  featureLinq: 'dga.feature_linq',
  featureLinqConstants: 'dga.feature_linq_constants',
  labelNames: 'dga.label_names',
  seed: 'dga.seed',
  preset: 'dga.preset',
  tfjsBackend: 'dga.tfjs_backend',
  pslMode: 'dga.psl_mode',
  threshold: 'dga.threshold',
  targetFpr: 'dga.target_fpr',
} as const;

/** Why a file breaks the contract; how to fix it is the caller's to say (an app knows its own commands). */
const origin = "The file was not written by this toolkit's ONNX exporter, or was written by an older version of it.";

function contractError(problem: string): OnnxExportError {
  return new OnnxExportError('ERR_ONNX_MODEL_CONTRACT', `Not a DGA classifier: ${problem}. ${origin}`);
}

/**
 * Builds the ONNX `metadata_props` of a DGA classifier (the model contract): feature set, its
 * version, feature names and LINQ twins in input order, label names, seed, preset, tfjs
 * backend, PSL mode and, when given, the decision threshold and the false-positive rate it was
 * chosen for. Pass the result to `exportToOnnx({ metadata })`; {@link readModelContract} reads it back.
 * Throws `ERR_ONNX_MODEL_CONTRACT` when `featureNames` differ from the feature set's.
 *
 * @example
 * const metadata = createModelMetadata({ featureSet: 'bigram', seed: 42, preset: 'default', tfjsBackend: 'tensorflow' });
 * const { bytes } = await exportToOnnx(model, { metadata });
 */
export function createModelMetadata(options: ModelMetadataOptions): Record<string, string> {
  const set = knownFeatureSet(options.featureSet);
  if (options.featureNames !== undefined) checkFeatureNames(options.featureNames, set, 'the given feature names');
  // The string columns some twins read (the ngram set's pair tables), as `{ column: value }`.
  const constants = Object.fromEntries(set.features.flatMap((feature) => (feature.linqConstant === undefined ? [] : [[feature.linqConstant.column, feature.linqConstant.value]])));
  if (options.threshold !== undefined && !isThreshold(options.threshold)) {
    throw new OnnxExportError('ERR_ONNX_INVALID_OPTION', `threshold must be a number between 0 and 1, got ${options.threshold}.`);
  }
  if (options.targetFpr !== undefined && !isTargetFpr(options.targetFpr)) {
    throw new OnnxExportError('ERR_ONNX_INVALID_OPTION', `targetFpr must be a number between 0 and 1 (exclusive), got ${options.targetFpr}.`);
  }
  return {
    [keys.featureSet]: set.name,
    [keys.featureSetVersion]: String(options.featureSetVersion ?? set.version),
    [keys.featureNames]: JSON.stringify(set.featureNames),
    [keys.featureLinq]: JSON.stringify(set.features.map((feature) => feature.linq('label'))),
    ...(Object.keys(constants).length === 0 ? {} : { [keys.featureLinqConstants]: JSON.stringify(constants) }),
    [keys.labelNames]: JSON.stringify(MODEL_LABEL_NAMES),
    [keys.seed]: String(options.seed),
    [keys.preset]: options.preset,
    [keys.tfjsBackend]: options.tfjsBackend,
    [keys.pslMode]: options.pslMode ?? 'all',
    ...(options.threshold === undefined ? {} : { [keys.threshold]: String(options.threshold) }),
    ...(options.targetFpr === undefined ? {} : { [keys.targetFpr]: String(options.targetFpr) }),
  };
}

function isThreshold(value: number): boolean {
  return value >= 0 && value <= 1;
}

function isTargetFpr(value: number): boolean {
  return value > 0 && value < 1;
}

/** A recorded number key: undefined when absent, refused with the fix when not a number `accept` takes. */
function recordedNumber(metadata: Readonly<Record<string, string>>, key: string, accept: (value: number) => boolean, range: string): number | undefined {
  const text = metadata[key];
  if (text === undefined) return undefined;
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (!accept(value)) throw contractError(`its ${key} is ${JSON.stringify(text)}, not a number ${range}`);
  return value;
}

/**
 * Decodes an ONNX model and checks it is a DGA classifier this version can score: one float
 * input `[N, n]` and one float output `[N, 2]` (symbolic `N`), `dga.feature_set` naming a known
 * feature set of exactly `n` features, `dga.feature_names` equal to that set's names in order, and
 * `dga.label_names` `["legit","dga"]`, and `dga.threshold` in [0, 1] and `dga.target_fpr` in
 * (0, 1) when recorded. Throws `ERR_ONNX_INVALID_MODEL` for bytes that are not such
 * an ONNX model and `ERR_ONNX_MODEL_CONTRACT` naming what is wrong otherwise. A different
 * `dga.feature_set_version` is reported in `warnings`, not thrown.
 *
 * @example
 * const contract = readModelContract(await readFile('run/model.onnx'));
 * for (const warning of contract.warnings) console.warn(warning);
 * console.log(contract.featureSet, contract.featureNames.length);
 */
export function readModelContract(bytes: Uint8Array): ModelContract {
  return checkModelContract(readOnnxModelInfo(bytes));
}

/**
 * The checks of {@link readModelContract} on an already decoded model (e.g. a classifier's `info`).
 *
 * @example
 * const classifier = await createOnnxClassifier(bytes);
 * const { featureSet } = checkModelContract(classifier.info);
 */
export function checkModelContract(info: OnnxModelInfo): ModelContract {
  if (info.outputSize !== MODEL_LABEL_NAMES.length) {
    const what = info.outputSize === 1 ? 'a single score (e.g. one sigmoid unit)' : `${info.outputSize} scores per row`;
    throw contractError(
      `its output "${info.outputName}" is [N, ${info.outputSize}] (${what}), not [N, 2] with column 0 = P(legit) and column 1 = P(dga)`,
    );
  }
  const metadata = info.metadata;
  const recorded = metadata[keys.featureSet];
  if (recorded === undefined || recorded === '') {
    throw contractError(`it has no ${keys.featureSet} metadata, so the features it expects are unknown`);
  }
  if (!(featureSetNames as readonly string[]).includes(recorded)) {
    throw new OnnxExportError(
      'ERR_ONNX_MODEL_CONTRACT',
      `The model was trained on feature set "${recorded}", which this version does not know (known: ${featureSetNames.join(', ')}). ` +
        'Upgrade the DGA toolkit, or re-train the model with this version.',
    );
  }
  const set = getFeatureSet(recorded as FeatureSetName);
  if (set.size !== info.inputSize) {
    throw contractError(
      `its metadata says feature set "${set.name}" (${set.size} features) but its input "${info.inputName}" is [N, ${info.inputSize}]`,
    );
  }
  const featureNames = jsonStrings(metadata, keys.featureNames);
  checkFeatureNames(featureNames, set, `its ${keys.featureNames}`);
  const labelNames = jsonStrings(metadata, keys.labelNames);
  if (labelNames.length !== MODEL_LABEL_NAMES.length || labelNames.some((name, index) => name !== MODEL_LABEL_NAMES[index])) {
    throw contractError(`its ${keys.labelNames} is ${JSON.stringify(labelNames)}, not ${JSON.stringify(MODEL_LABEL_NAMES)} (0 = legit, 1 = dga)`);
  }
  const versionText = metadata[keys.featureSetVersion];
  const featureSetVersion = versionText === undefined ? set.version : Number(versionText);
  if (!Number.isInteger(featureSetVersion) || featureSetVersion < 1) {
    throw contractError(`its ${keys.featureSetVersion} is ${JSON.stringify(versionText)}, not a positive integer`);
  }
  const warnings: string[] = [];
  if (featureSetVersion !== set.version) {
    warnings.push(
      `trained on feature set "${set.name}" version ${featureSetVersion}, this version computes version ${set.version}; scores may drift`,
    );
  }
  const pslText = metadata[keys.pslMode];
  if (pslText !== undefined && pslText !== 'all' && pslText !== 'icann') {
    throw new OnnxExportError(
      'ERR_ONNX_MODEL_CONTRACT',
      `The model's ${keys.pslMode} is ${JSON.stringify(pslText)}, which this version does not know (known: "all", "icann"). ` +
        'Upgrade the DGA toolkit, or re-train the model with this version.',
    );
  }
  const threshold = recordedNumber(metadata, keys.threshold, isThreshold, 'between 0 and 1');
  const targetFpr = recordedNumber(metadata, keys.targetFpr, isTargetFpr, 'between 0 and 1 (exclusive)');
  const seedText = metadata[keys.seed];
  return {
    info,
    featureSet: set.name,
    featureSetVersion,
    featureNames,
    labelNames,
    seed: seedText === undefined || !/^\d+$/.test(seedText) ? undefined : Number(seedText),
    preset: metadata[keys.preset],
    tfjsBackend: metadata[keys.tfjsBackend],
    pslMode: pslText ?? 'all',
    threshold,
    targetFpr,
    warnings,
  };
}

function knownFeatureSet(name: string): FeatureSet {
  if (!(featureSetNames as readonly string[]).includes(name)) {
    throw new OnnxExportError('ERR_ONNX_INVALID_OPTION', `featureSet must be one of ${featureSetNames.join(', ')}, got ${JSON.stringify(name)}.`);
  }
  return getFeatureSet(name as FeatureSetName);
}

function checkFeatureNames(names: readonly string[], set: FeatureSet, what: string): void {
  const index = set.featureNames.findIndex((name, position) => names[position] !== name);
  if (names.length === set.size && index === -1) return;
  const where =
    names.length === set.size
      ? `position ${index} is ${JSON.stringify(names[index])}, not ${JSON.stringify(set.featureNames[index])}`
      : `${names.length} names for ${set.size} features`;
  throw contractError(`${what} do not match feature set "${set.name}" version ${set.version} (${where})`);
}

function jsonStrings(metadata: Readonly<Record<string, string>>, key: string): string[] {
  const text = metadata[key];
  if (text === undefined) throw contractError(`it has no ${key} metadata`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw contractError(`its ${key} metadata is not a JSON array of strings`);
  }
  return value as string[];
}
