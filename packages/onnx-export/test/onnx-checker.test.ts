// The official ONNX checker (Debian's python3-onnx) on exported models, plus a cross-check of
// what python's onnx decodes against what the exporter meant to write.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { createModel, LengthEncoding } from '@dga/model';
import { findPython, requirePythonModule } from '@dga/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportToOnnx, writeOnnxFile } from '../src/index';
import { createRng } from '../src/internal/rng';
import { defaultShapedModel, predictTfjs, randomizeWeights, tutorialRows, tutorialShapedModel, useCpuBackend } from './models';

interface Described {
  ir_version: number;
  opset: { domain: string; version: number }[];
  producer_name: string;
  metadata: [string, string][];
  inputs: { name: string; elem_type: number; dims: (string | number | null)[] }[];
  outputs: { name: string; elem_type: number; dims: (string | number | null)[] }[];
  inferred_outputs: { name: string; elem_type: number; dims: (string | number | null)[] }[];
  nodes: { name: string; op_type: string; inputs: string[]; outputs: string[]; attributes: Record<string, unknown> }[];
  initializers: { name: string; dims: number[]; data_type: number; values: number[] }[];
  numpy_outputs: number[] | null;
}

const skip = requirePythonModule('onnx');
const script = join(dirname(fileURLToPath(import.meta.url)), 'onnx_check.py');

/** Every converter in one chain, so the checker sees every op the exporter can write. */
function everyLayerModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(new LengthEncoding({ lengthIndex: 0, thresholds: 4, inputShape: [3] }));
  model.add(tf.layers.dense({ units: 6, activation: 'selu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
  model.add(tf.layers.batchNormalization());
  model.add(tf.layers.dropout({ rate: 0.5 }));
  for (const activation of ['relu6', 'hardSigmoid', 'tanh', 'elu', 'softplus', 'softsign', 'swish', 'mish', 'gelu', 'sigmoid', 'linear', 'relu']) {
    model.add(tf.layers.activation({ activation: activation as 'relu' }));
  }
  model.add(tf.layers.leakyReLU());
  model.add(tf.layers.reLU({ maxValue: 4 }));
  model.add(tf.layers.elu());
  model.add(tf.layers.thresholdedReLU({ theta: 0.1 }));
  model.add(tf.layers.prelu());
  model.add(tf.layers.gaussianNoise({ stddev: 0.1 }));
  model.add(tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
  model.add(tf.layers.softmax());
  return model;
}

describe.skipIf(skip)('official ONNX checker (python3-onnx)', () => {
  let folder: string;
  beforeAll(async () => {
    await useCpuBackend();
    folder = await mkdtemp(join(tmpdir(), 'onnx-checker-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  function check(files: string[]): Described[] {
    const run = spawnSync(findPython(), [script, ...files], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    if (run.status !== 0) throw new Error(`onnx checker failed:\n${run.stderr}`);
    return JSON.parse(run.stdout) as Described[];
  }

  it('passes check_model(full_check) and strict shape inference; python decodes what was meant', async () => {
    const metadata = {
      'dga.label_names': '["legit","dga"]',
      'dga.feature_names': '["length","entropy","vowel_proportion"]',
      'dga.feature_linq': '["float(length(label))","shannonentropy(label)","float(countbyfilter(label, \\"aeiouAEIOU\\")) / float(length(label))"]',
      'dga.feature_set': 'tutorial',
      'dga.preset': 'tutorial',
    };
    const tutorial = tutorialShapedModel(42);
    const charModel = createModel({ preset: 'char', featureSet: 'char', seed: 42 });
    randomizeWeights(charModel, 42);
    const charAverageModel = createModel({ preset: 'char-average', featureSet: 'char', seed: 42 });
    randomizeWeights(charAverageModel, 43);
    const exported = [
      { model: tutorial, result: await exportToOnnx(tutorial, { metadata }) },
      { model: defaultShapedModel(42), result: await exportToOnnx(defaultShapedModel(42)) },
      { model: everyLayerModel(), result: await exportToOnnx(everyLayerModel()) },
      // The char preset's two-branch graph: LengthEncoding, DropColumns and CharacterWindows on
      // one input, Dense over positions, PositionMax, Concatenate.
      { model: charModel, result: await exportToOnnx(charModel) },
      // The char-average preset: each branch ends in a softmax head; Average (Mean) joins them.
      { model: charAverageModel, result: await exportToOnnx(charAverageModel) },
    ];
    // Rows for the numpy interpreter: plausible features plus zeros and long labels.
    const rng = createRng(9);
    const inputs = exported.map(({ result }) =>
      result.inputSize === 3
        ? new Float32Array([...tutorialRows(200, 3), 0, 0, 0, 253, 5.25, 1])
        : result.inputSize === 266
          ? // Features, then whole character codes 0…37 in columns 242…265.
            Float32Array.from({ length: 200 * 266 }, (_, index) => (index % 266 < 242 ? rng() * 4 - 1 : Math.floor(rng() * 38)))
          : Float32Array.from({ length: 200 * result.inputSize }, () => rng() * 4 - 1),
    );
    const files = await Promise.all(
      exported.map(async ({ result }, index) => {
        const file = join(folder, `model-${index}.onnx`);
        await writeOnnxFile(file, result.bytes);
        await writeFile(join(folder, `model-${index}.rows.f32`), Buffer.from((inputs[index] ?? new Float32Array()).buffer));
        return file;
      }),
    );
    const described = check(files);
    expect(described).toHaveLength(5);

    described.forEach((model, index) => {
      const { result } = exported[index] ?? {};
      expect(model.ir_version).toBe(7);
      expect(model.opset).toEqual([{ domain: '', version: 13 }]);
      expect(model.producer_name).toBe('@dga/onnx-export');
      expect(model.inputs).toEqual([{ name: 'input', elem_type: 1, dims: ['N', result?.inputSize] }]);
      expect(model.outputs).toEqual([{ name: 'output', elem_type: 1, dims: ['N', result?.outputSize] }]);
      expect(model.inferred_outputs[0]?.dims).toEqual(['N', result?.outputSize]);
      expect(model.nodes.map((node) => node.op_type)).toEqual(result?.opTypes);
      // float32 weights; int64 only for indices, axes and shapes (CharacterWindows, DropColumns).
      expect(model.initializers.every((tensor) => tensor.data_type === 1 || (tensor.data_type === 7 && Number.isInteger(tensor.values[0])))).toBe(true);
      expect(new Set(model.nodes.map((node) => node.name)).size).toBe(model.nodes.length);
      // A numpy float64 interpreter of the decoded graph (a second implementation, not ORT)
      // agrees with tfjs predict.
      const { model: tfjsModel } = exported[index] ?? {};
      const rows = inputs[index] ?? new Float32Array();
      const tfjsOutput = tfjsModel === undefined ? [] : Array.from(predictTfjs(tfjsModel, rows, result?.inputSize ?? 1));
      expect(model.numpy_outputs).toHaveLength(tfjsOutput.length);
      model.numpy_outputs?.forEach((value, position) => {
        const want = tfjsOutput[position] ?? Number.NaN;
        expect(Math.abs(value - want) / Math.max(1, Math.abs(want))).toBeLessThanOrEqual(1e-5);
      });
    });

    // Metadata: exactly what was passed, sorted by key.
    expect(described[0]?.metadata).toEqual(Object.entries(metadata).sort(([left], [right]) => (left < right ? -1 : 1)));

    // Initializers: the first Dense kernel is tfjs's kernel, value for value; the first
    // BatchNormalization multiplier is gamma / sqrt(variance + 1e-3), computed here by hand.
    const [kernel, bias] = tutorial.layers[0]?.getWeights().map((tensor) => Array.from(tensor.dataSync())) ?? [];
    const initializers = new Map(described[0]?.initializers.map((tensor) => [tensor.name, tensor]));
    expect(initializers.get('dense_0/kernel')?.dims).toEqual([3, 10]);
    expect(initializers.get('dense_0/kernel')?.values).toEqual(kernel);
    expect(initializers.get('dense_0/bias')?.values).toEqual(bias);
    const [gamma, beta, mean, variance] = tutorial.layers[1]?.getWeights().map((tensor) => Array.from(tensor.dataSync())) ?? [];
    const multiplier = gamma?.map((g, index) => g / Math.sqrt((variance?.[index] ?? 0) + 1e-3)) ?? [];
    const shift = multiplier.map((m, index) => (beta?.[index] ?? 0) - (mean?.[index] ?? 0) * m);
    const written = initializers.get('batch_normalization_1/multiplier')?.values ?? [];
    written.forEach((value, index) => expect(value).toBeCloseTo(multiplier[index] ?? Number.NaN, 5));
    (initializers.get('batch_normalization_1/shift')?.values ?? []).forEach((value, index) =>
      expect(value).toBeCloseTo(shift[index] ?? Number.NaN, 5),
    );

    // Attributes that matter: softmax on the last axis; LeakyReLU with tfjs's alpha 0.3.
    const nodes = described[2]?.nodes ?? [];
    expect(nodes.filter((node) => node.op_type === 'Softmax').map((node) => node.attributes['axis'])).toEqual([-1]);
    expect(nodes.find((node) => node.op_type === 'LeakyRelu')?.attributes['alpha']).toBeCloseTo(0.3, 6);
    // The char graph: both branches read the one input; the character codes are gathered from
    // columns 242… (the first window is characters 0, 1, 2); they meet in one Concat on axis 1.
    const charNodes = described[3]?.nodes ?? [];
    expect(charNodes.map((node) => node.op_type)).toEqual(expect.arrayContaining(['Gather', 'Slice', 'ReduceMax', 'Reshape']));
    const charInitializers = new Map(described[3]?.initializers.map((tensor) => [tensor.name, tensor]));
    const gather = charNodes.find((node) => node.op_type === 'Gather');
    expect(charInitializers.get(gather?.inputs[1] ?? '')?.dims).toEqual([22, 3]);
    expect(charInitializers.get(gather?.inputs[1] ?? '')?.values.slice(0, 6)).toEqual([242, 243, 244, 243, 244, 245]);
    const joined = charNodes.filter((node) => node.op_type === 'Concat' && node.attributes['axis'] === 1 && node.inputs.some((input) => input.includes('position_max')));
    expect(joined).toHaveLength(1);
    // The char-average graph ends in one Mean of the two heads' Softmax outputs.
    const averageNodes = described[4]?.nodes ?? [];
    const meanNode = averageNodes.at(-1);
    expect(meanNode?.op_type).toBe('Mean');
    expect(meanNode?.inputs.map((name) => averageNodes.find((node) => node.outputs.includes(name))?.op_type)).toEqual(['Softmax', 'Softmax']);
  }, 120_000);
});
