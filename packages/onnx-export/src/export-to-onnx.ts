import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { BATCH_DIM, convertModel, IR_VERSION, OPSET } from './internal/convert-model';
import { openSession, runBatched } from './internal/ort-session';
import { buildParityInputs, DEFAULT_RANDOM_ROWS } from './internal/parity-inputs';
import { DEFAULT_SEED } from './internal/rng';
import { OnnxExportError, OnnxParityError } from './onnx-export-error';
import { VERSION } from './version';

/** How many features of the worst parity row a parity error's message shows. */
const shownFeatures = 8;

/**
 * The largest difference between tfjs and ONNX Runtime that an export accepts by default.
 *
 * @example
 * await exportToOnnx(model, { tolerance: DEFAULT_PARITY_TOLERANCE * 10 });
 */
export const DEFAULT_PARITY_TOLERANCE = 1e-5;

/** Options of {@link exportToOnnx}. */
export interface ExportToOnnxOptions {
  /**
   * String metadata stored as ONNX `metadata_props`, written sorted by key (see the model
   * contract: `dga.feature_names`, `dga.feature_linq`, `dga.label_names`…). When
   * `dga.feature_names` / `dga.label_names` are present they must be JSON arrays as long as the
   * input / output.
   * @default {}
   */
  metadata?: Readonly<Record<string, string>>;
  /**
   * Row-major `N × features` rows (e.g. held-out examples) to run through both tfjs and ONNX
   * Runtime, on top of the exporter's own zero, extreme and seeded random rows.
   * @default none
   */
  parityInputs?: Float32Array;
  /**
   * Largest accepted difference between tfjs `predict` and ONNX Runtime: absolute for outputs
   * within [-1, 1] (softmax probabilities), relative to the output beyond (see `maxScaledDiff`).
   * @default 1e-5
   */
  tolerance?: number;
  /**
   * Set to false to skip the parity check (the result then reports `rows: 0`). Only for
   * tooling that checks parity itself.
   * @default true
   */
  verifyParity?: boolean;
  /**
   * Seed of the random parity rows.
   * @default 42
   */
  seed?: number;
  /**
   * How many seeded random rows the parity check adds.
   * @default 256
   */
  randomRows?: number;
  /**
   * `producer_name` of the ModelProto.
   * @default '@dga/onnx-export'
   */
  producerName?: string;
  /**
   * `producer_version` of the ModelProto.
   * @default this package's VERSION
   */
  producerVersion?: string;
  /**
   * Name of the graph input.
   * @default 'input'
   */
  inputName?: string;
  /**
   * Name of the graph output.
   * @default 'output'
   */
  outputName?: string;
}

/** What {@link exportToOnnx} returns. */
export interface ExportToOnnxResult {
  /** The serialized ONNX ModelProto (IR 7, opset 13). */
  bytes: Uint8Array;
  inputSize: number;
  outputSize: number;
  /** ONNX op types in node order, e.g. `['MatMul', 'Add', 'Relu', …]`. */
  opTypes: string[];
  parity: {
    /** Rows compared (caller rows + zero/extreme rows + random rows); 0 when skipped. */
    rows: number;
    /** Largest absolute difference between tfjs and ONNX Runtime over all rows and outputs. */
    maxAbsDiff: number;
    /**
     * Largest `|tfjs - ORT| / max(1, |tfjs|)`: equal to `maxAbsDiff` for outputs in [-1, 1]
     * (softmax probabilities); relative for larger outputs. This is what `tolerance` bounds.
     */
    maxScaledDiff: number;
    tolerance: number;
  };
}

/**
 * Converts a built tfjs LayersModel (a straight chain of {@link supportedLayers}, one `[N, n]`
 * input, one `[N, k]` output) into ONNX bytes (IR version 7, opset 13), then runs tfjs `predict`
 * and ONNX Runtime on the same rows and throws `ERR_ONNX_PARITY` if they differ by more than
 * `tolerance`. Deterministic: the same model and options give the same bytes.
 *
 * @example
 * const { bytes, parity } = await exportToOnnx(model, {
 *   metadata: { 'dga.feature_names': JSON.stringify(['length', 'entropy', 'vowel_proportion']) },
 *   parityInputs: heldOutRows,
 * });
 * await writeOnnxFile('run/model.onnx', bytes);
 * console.log(`max |tfjs - ORT| = ${parity.maxAbsDiff}`);
 */
export async function exportToOnnx(model: LayersModel, options: ExportToOnnxOptions = {}): Promise<ExportToOnnxResult> {
  const tolerance = options.tolerance ?? DEFAULT_PARITY_TOLERANCE;
  if (!(tolerance >= 0) || !Number.isFinite(tolerance)) {
    throw new OnnxExportError('ERR_ONNX_INVALID_OPTION', `tolerance must be a finite number >= 0, got ${tolerance}.`);
  }
  const randomRows = options.randomRows ?? DEFAULT_RANDOM_ROWS;
  if (!Number.isInteger(randomRows) || randomRows < 0) {
    throw new OnnxExportError('ERR_ONNX_INVALID_OPTION', `randomRows must be a non-negative integer, got ${randomRows}.`);
  }
  const metadata = options.metadata ?? {};
  for (const [key, value] of Object.entries(metadata)) {
    if (key === '' || typeof value !== 'string') {
      throw new OnnxExportError(
        'ERR_ONNX_INVALID_OPTION',
        `metadata[${JSON.stringify(key)}] must be a non-empty key with a string value; got ${typeof value}. ` +
          `JSON.stringify arrays and numbers first.`,
      );
    }
  }
  const inputName = options.inputName ?? 'input';
  const outputName = options.outputName ?? 'output';
  if (inputName === '' || outputName === '' || inputName === outputName) {
    throw new OnnxExportError('ERR_ONNX_INVALID_OPTION', `inputName and outputName must be distinct and non-empty.`);
  }

  const converted = convertModel(model, {
    metadata,
    producerName: options.producerName ?? '@dga/onnx-export',
    producerVersion: options.producerVersion ?? VERSION,
    inputName,
    outputName,
  });
  const featureNames = jsonStringArray(metadata, 'dga.feature_names', converted.inputSize, 'input');
  jsonStringArray(metadata, 'dga.label_names', converted.outputSize, 'output');
  const parityInputs = options.parityInputs;
  if (parityInputs !== undefined && (parityInputs.length === 0 || parityInputs.length % converted.inputSize !== 0)) {
    throw new OnnxExportError(
      'ERR_ONNX_INVALID_OPTION',
      `parityInputs holds ${parityInputs.length} values, not a whole, non-zero number of rows of ${converted.inputSize} features.`,
    );
  }
  const result: ExportToOnnxResult = {
    bytes: converted.bytes,
    inputSize: converted.inputSize,
    outputSize: converted.outputSize,
    opTypes: converted.opTypes,
    parity: { rows: 0, maxAbsDiff: 0, maxScaledDiff: 0, tolerance },
  };
  if (options.verifyParity === false) return result;

  const rows = buildParityInputs({
    featureCount: converted.inputSize,
    callerRows: parityInputs,
    featureNames,
    seed: options.seed ?? DEFAULT_SEED,
    randomRows,
  });
  const count = rows.length / converted.inputSize;
  const expected = await predictWithTfjs(model, rows, count, converted.inputSize);
  const session = await openSession(converted.bytes, 1);
  let actual: Float32Array;
  try {
    actual = await runBatched(session, rows, { ...converted, inputName, outputName, batchSize: 8192 });
  } finally {
    await session.release();
  }
  const comparison = compareOutputs(expected, actual);
  const { maxAbsDiff, maxScaledDiff, worst } = comparison;
  result.parity = { rows: count, maxAbsDiff, maxScaledDiff, tolerance };
  if (maxScaledDiff > tolerance) {
    const row = Math.floor(worst / converted.outputSize);
    const column = worst % converted.outputSize;
    const features = Array.from(rows.subarray(row * converted.inputSize, (row + 1) * converted.inputSize));
    // A wide row (the bigram set has over 200 features) would bury the message: the first values, the whole row in `parity.input`.
    const shown = features.length > shownFeatures ? `${features.slice(0, shownFeatures).join(', ')}, … (${features.length} features)` : features.join(', ');
    throw new OnnxParityError(
      `ONNX Runtime and tfjs disagree by ${maxScaledDiff} (> tolerance ${tolerance}) on parity row ${row} ` +
        `[${shown}], output ${column}: tfjs ${expected[worst]}, ONNX ${actual[worst]}. ` +
        `A difference this large means a layer was converted wrongly: report it with the model's layer list ` +
        `(model.summary()). Raise \`tolerance\` only if the difference is float32 rounding on very large outputs.`,
      { rows: count, maxAbsDiff, maxScaledDiff, tolerance, row, column, input: features },
    );
  }
  return result;
}

/**
 * Compares two output arrays element by element. The scaled difference is
 * `|a - b| / max(1, |a|)`: the absolute difference for outputs within [-1, 1] (probabilities
 * always are), relative beyond, because float32 cannot hold an output of 200 to 1e-5 absolute
 * (its spacing there is 1.5e-5). NaN on one side only counts as an infinite difference.
 */
export function compareOutputs(
  expected: Float32Array,
  actual: Float32Array,
): { maxAbsDiff: number; maxScaledDiff: number; worst: number } {
  let maxAbsDiff = 0;
  let maxScaledDiff = 0;
  let worst = 0;
  for (let index = 0; index < expected.length; index += 1) {
    const want = expected[index] ?? 0;
    const got = actual[index] ?? 0;
    const bothNaN = Number.isNaN(want) && Number.isNaN(got);
    let diff = bothNaN ? 0 : Math.abs(want - got);
    if (Number.isNaN(diff)) diff = Number.POSITIVE_INFINITY;
    const scaled = diff / Math.max(1, Number.isFinite(want) ? Math.abs(want) : 1);
    if (diff > maxAbsDiff) maxAbsDiff = diff;
    if (scaled > maxScaledDiff) {
      maxScaledDiff = scaled;
      worst = index;
    }
  }
  return { maxAbsDiff, maxScaledDiff, worst };
}

async function predictWithTfjs(model: LayersModel, rows: Float32Array, count: number, inputSize: number): Promise<Float32Array> {
  const tf = await import('@tensorflow/tfjs');
  const input = tf.tensor2d(rows, [count, inputSize], 'float32');
  let output: Tensor | undefined;
  try {
    const prediction = model.predict(input, { batchSize: 4096 });
    output = Array.isArray(prediction) ? prediction[0] : prediction;
    if (output === undefined) throw new Error('internal: predict returned no tensor');
    return Float32Array.from(await output.data());
  } finally {
    input.dispose();
    output?.dispose();
  }
}

function jsonStringArray(
  metadata: Readonly<Record<string, string>>,
  key: string,
  expectedLength: number,
  role: string,
): string[] | undefined {
  const raw = metadata[key];
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new OnnxExportError('ERR_ONNX_INVALID_OPTION', `metadata["${key}"] is not JSON: ${raw.slice(0, 80)}.`, { cause: error });
  }
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string') || parsed.length !== expectedLength) {
    throw new OnnxExportError(
      'ERR_ONNX_INVALID_OPTION',
      `metadata["${key}"] must be a JSON array of ${expectedLength} strings (the model's ${role} width), got ${raw.slice(0, 80)}. ` +
        (role === 'input' ? `Pass the feature set the model was trained on.` : `A DGA classifier has two output columns (legit, dga).`),
    );
  }
  return parsed;
}

/**
 * What every export writes: IR version, default-domain opset and the batch dimension's name.
 *
 * @example
 * readOnnxModelInfo(bytes).opset === onnxFormat.opset; // true for our exports
 */
export const onnxFormat: { readonly irVersion: number; readonly opset: number; readonly batchDimension: string } = {
  irVersion: IR_VERSION,
  opset: OPSET,
  batchDimension: BATCH_DIM,
};
