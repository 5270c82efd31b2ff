import type { Tensor } from '@tensorflow/tfjs';
import { isIdnLabel, tryExtractLabel, type FeatureSet, type PslMode } from '@dga/features';
import type { TrainResult } from '@dga/model';
import { createModelMetadata, createOnnxClassifier, exportToOnnx } from '@dga/onnx-export';
import type { TfjsBackendChoice } from './tfjs-backend';
import type { TrainingPreset } from './training-config';
import { SAMPLE_DOMAINS, type SampleClassification } from './training-types';

const PARITY_ROWS = 2048;

/** What {@link exportAndVerify} needs to know about the run. */
export interface ExportRun {
  model: TrainResult['model'];
  featureSet: FeatureSet;
  samples: { legit: Float32Array[]; dga: Float32Array[] };
  seed: number;
  preset: TrainingPreset;
  psl: PslMode;
  threshold: number;
  /** The validation false-positive rate `threshold` was chosen for; undefined when it was given. */
  targetFpr: number | undefined;
  backend: TfjsBackendChoice;
  sampleInputs: readonly string[] | undefined;
  signal: AbortSignal | undefined;
}

/** The exported model, checked twice: tfjs against ONNX at export, and with ONNX Runtime after. */
export interface VerifiedExport {
  bytes: Uint8Array;
  metadata: Record<string, string>;
  parity: { rows: number; maxAbsDiff: number };
  verify: { rows: number; maxAbsDiff: number };
  samples: SampleClassification[];
}

/**
 * Exports the trained model to ONNX (with its parity check on the sampled rows), then loads the
 * bytes in ONNX Runtime: compares them with tfjs on the same rows and classifies the sample inputs.
 */
export async function exportAndVerify(run: ExportRun, onStage: (stage: 'export' | 'verify', message: string) => void): Promise<VerifiedExport> {
  const { featureSet, samples, seed, psl, threshold, backend } = run;
  onStage('export', 'exporting to ONNX with the parity check');
  const metadata = createModelMetadata({
    featureSet: featureSet.name,
    seed,
    preset: run.preset,
    tfjsBackend: backend.backend,
    pslMode: psl,
    threshold,
    ...(run.targetFpr === undefined ? {} : { targetFpr: run.targetFpr }),
  });
  const parityRows = [...samples.legit.slice(0, PARITY_ROWS / 2), ...samples.dga.slice(0, PARITY_ROWS / 2)];
  const parityInputs = new Float32Array(parityRows.length * featureSet.size);
  parityRows.forEach((row, index) => parityInputs.set(row, index * featureSet.size));
  // The exporter's own producer name and version, as `dga export`'s: the same model gives the same bytes.
  const exported = await exportToOnnx(run.model, { metadata, parityInputs, seed });
  run.signal?.throwIfAborted();

  onStage('verify', 'verifying the ONNX model with ONNX Runtime');
  const classifier = await createOnnxClassifier(exported.bytes, { intraOpNumThreads: 1 });
  try {
    const onnxOutput = await classifier.predict(parityInputs);
    const tfjsOutput = await predictTfjs(backend, run.model, parityInputs, parityRows.length, featureSet.size);
    let maxAbsDiff = 0;
    for (let index = 0; index < onnxOutput.length; index += 1) {
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(onnxOutput[index]! - tfjsOutput[index]!));
    }
    const inputs = (run.sampleInputs ?? SAMPLE_DOMAINS)
      .map((input) => ({ input, label: tryExtractLabel(input, { psl }) }))
      // As classify: inputs without a label and IDN labels get no verdict (ADR 0011).
      .filter((entry): entry is { input: string; label: string } => entry.label !== undefined && entry.label !== '' && !isIdnLabel(entry.label));
    const rows = new Float32Array(inputs.length * featureSet.size);
    inputs.forEach((entry, index) => featureSet.compute(entry.label, rows, index * featureSet.size));
    const outputs = inputs.length === 0 ? new Float32Array(0) : await classifier.predict(rows);
    const width = outputs.length / Math.max(1, inputs.length);
    const sampleResults = inputs.map((entry, index): SampleClassification => {
      const probability = outputs[index * width + 1]!;
      return { input: entry.input, label: entry.label, probability: round(probability), malicious: probability >= threshold };
    });
    return {
      bytes: exported.bytes,
      metadata,
      parity: { rows: exported.parity.rows, maxAbsDiff: exported.parity.maxAbsDiff },
      verify: { rows: parityRows.length, maxAbsDiff },
      samples: sampleResults,
    };
  } finally {
    await classifier.dispose();
  }
}

function round(value: number, digits = 6): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

async function predictTfjs(
  backend: TfjsBackendChoice,
  model: { predict(input: unknown): unknown },
  rows: Float32Array,
  count: number,
  size: number,
): Promise<Float32Array> {
  const tf = backend.tf;
  const input = tf.tensor2d(rows, [count, size], 'float32');
  const output = model.predict(input) as Tensor;
  try {
    return Float32Array.from(await output.data());
  } finally {
    input.dispose();
    output.dispose();
  }
}
