import type { onnx as Onnx } from 'onnx-proto';
import { onnx } from './onnx-proto';

/** An ONNX attribute value as the converters write it. */
export type AttributeValue = { float: number } | { int: number } | { ints: readonly number[] };

/**
 * Collects nodes and float32 initializers in insertion order, so the same model always gives
 * the same graph (and the same bytes).
 */
export interface GraphBuilder {
  /** Adds a float32 initializer (little-endian `raw_data`) and returns its name. */
  initializer(name: string, dims: readonly number[], values: Float32Array | readonly number[]): string;
  /** Adds an int64 initializer (indices, axes, shapes: `Slice`'s starts, `Unsqueeze`'s axes) and returns its name. */
  int64Initializer(name: string, dims: readonly number[], values: readonly number[]): string;
  /** Adds a node named `name` whose single output is also called `name`; returns that output. */
  node(opType: string, name: string, inputs: readonly string[], attributes?: Record<string, AttributeValue>): string;
  readonly nodes: Onnx.INodeProto[];
  readonly initializers: Onnx.ITensorProto[];
}

export function createGraphBuilder(): GraphBuilder {
  const nodes: Onnx.INodeProto[] = [];
  const initializers: Onnx.ITensorProto[] = [];
  const names = new Set<string>();
  const claim = (name: string): void => {
    if (names.has(name)) throw new Error(`internal: duplicate ONNX name ${name}`);
    names.add(name);
  };
  return {
    nodes,
    initializers,
    initializer(name, dims, values) {
      claim(name);
      const count = dims.reduce((product, dim) => product * dim, 1);
      if (count !== values.length) {
        throw new Error(`internal: initializer ${name} has ${values.length} values for dims [${dims.join(', ')}]`);
      }
      initializers.push({
        name,
        dims: [...dims],
        dataType: onnx.TensorProto.DataType.FLOAT,
        rawData: float32LittleEndian(values),
      });
      return name;
    },
    int64Initializer(name, dims, values) {
      claim(name);
      const count = dims.reduce((product, dim) => product * dim, 1);
      if (count !== values.length || !values.every((value) => Number.isSafeInteger(value))) {
        throw new Error(`internal: int64 initializer ${name} has values [${values.join(', ')}] for dims [${dims.join(', ')}]`);
      }
      const rawData = new Uint8Array(values.length * 8);
      const view = new DataView(rawData.buffer);
      values.forEach((value, index) => view.setBigInt64(index * 8, BigInt(value), true));
      initializers.push({ name, dims: [...dims], dataType: onnx.TensorProto.DataType.INT64, rawData });
      return name;
    },
    node(opType, name, inputs, attributes = {}) {
      claim(name);
      nodes.push({
        name,
        opType,
        input: [...inputs],
        output: [name],
        attribute: Object.entries(attributes).map(([key, value]) => toAttribute(key, value)),
      });
      return name;
    },
  };
}

function toAttribute(name: string, value: AttributeValue): Onnx.IAttributeProto {
  const type = onnx.AttributeProto.AttributeType;
  if ('float' in value) return { name, type: type.FLOAT, f: value.float };
  if ('int' in value) return { name, type: type.INT, i: value.int };
  return { name, type: type.INTS, ints: [...value.ints] };
}

/** Float32 values as little-endian bytes, whatever the host's endianness (ONNX `raw_data`). */
export function float32LittleEndian(values: Float32Array | readonly number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let index = 0; index < values.length; index += 1) view.setFloat32(index * 4, values[index] ?? 0, true);
  return bytes;
}
