import type { onnx as Onnx } from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { onnx } from './internal/onnx-proto';
import { OnnxExportError } from './onnx-export-error';
import { readOnnxModelInfo } from './read-onnx-model-info';

type Dim = string | number | undefined;

function valueInfo(name: string, dims: Dim[], elemType: number = onnx.TensorProto.DataType.FLOAT): Onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((dim) => (typeof dim === 'string' ? { dimParam: dim } : dim === undefined ? {} : { dimValue: dim })) },
      },
    },
  };
}

/** A hand-built Identity model, independent of the exporter. */
function handBuilt(overrides: { inputs?: Onnx.IValueInfoProto[]; outputs?: Onnx.IValueInfoProto[]; opset?: Onnx.IOperatorSetIdProto[] } = {}): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 7,
    opsetImport: overrides.opset ?? [{ domain: '', version: 13 }],
    producerName: 'hand',
    graph: {
      name: 'g',
      node: [{ opType: 'Identity', input: ['x'], output: ['y'] }],
      input: overrides.inputs ?? [valueInfo('x', ['batch', 3])],
      output: overrides.outputs ?? [valueInfo('y', ['batch', 3])],
    },
    metadataProps: [{ key: 'k', value: 'v' }],
  }).finish();
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return OnnxExportError.isInstance(error) ? `${error.code}: ${error.message}` : String(error);
  }
}

describe('readOnnxModelInfo', () => {
  it('reads names, sizes, opset and metadata of a valid [N, n] → [N, k] model', () => {
    expect(readOnnxModelInfo(handBuilt())).toEqual({
      inputName: 'x',
      outputName: 'y',
      inputSize: 3,
      outputSize: 3,
      opset: 13,
      irVersion: 7,
      producerName: 'hand',
      producerVersion: '',
      metadata: { k: 'v' },
    });
  });

  it('accepts an unnamed dynamic batch dimension and the ai.onnx domain spelling', () => {
    const info = readOnnxModelInfo(handBuilt({ inputs: [valueInfo('x', [undefined, 3])], opset: [{ domain: 'ai.onnx', version: 12 }] }));
    expect(info.opset).toBe(12);
  });

  it('rejects bytes that are not a model', () => {
    expect(codeOf(() => readOnnxModelInfo(new Uint8Array([0xff, 0xff, 0xff, 0xff])))).toMatch(/^ERR_ONNX_INVALID_MODEL: .*not an ONNX ModelProto/);
    expect(codeOf(() => readOnnxModelInfo(new Uint8Array()))).toMatch(/^ERR_ONNX_INVALID_MODEL: .*empty graph/);
  });

  it('rejects two inputs', () => {
    const inputs = [valueInfo('x', ['N', 3]), valueInfo('z', ['N', 3])];
    expect(codeOf(() => readOnnxModelInfo(handBuilt({ inputs })))).toMatch(/^ERR_ONNX_INVALID_MODEL: .*2 graph inputs/);
  });

  it('rejects a non-float input', () => {
    const inputs = [valueInfo('x', ['N', 3], onnx.TensorProto.DataType.INT64)];
    expect(codeOf(() => readOnnxModelInfo(handBuilt({ inputs })))).toMatch(/element type INT64, not FLOAT/);
  });

  it('rejects a rank-3 output, a fixed batch and an unknown feature count', () => {
    expect(codeOf(() => readOnnxModelInfo(handBuilt({ outputs: [valueInfo('y', ['N', 3, 1])] })))).toMatch(/output "y" has rank 3/);
    expect(codeOf(() => readOnnxModelInfo(handBuilt({ inputs: [valueInfo('x', [1, 3])] })))).toMatch(/fixed batch dimension 1/);
    expect(codeOf(() => readOnnxModelInfo(handBuilt({ inputs: [valueInfo('x', ['N', 'F'])] })))).toMatch(/no fixed second dimension/);
  });

  it('rejects a model without a default-domain opset', () => {
    expect(codeOf(() => readOnnxModelInfo(handBuilt({ opset: [{ domain: 'com.microsoft', version: 1 }] })))).toMatch(/no default-domain/);
  });

  it('ignores initializers listed as graph inputs (older exporters do that)', () => {
    const bytes = onnx.ModelProto.encode({
      irVersion: 3,
      opsetImport: [{ domain: '', version: 9 }],
      graph: {
        node: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }],
        initializer: [{ name: 'w', dims: [3], dataType: 1, floatData: [1, 2, 3] }],
        input: [valueInfo('x', ['N', 3]), valueInfo('w', [3])],
        output: [valueInfo('y', ['N', 3])],
      },
    }).finish();
    expect(readOnnxModelInfo(bytes).inputName).toBe('x');
  });
});
