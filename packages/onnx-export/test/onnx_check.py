"""Validates ONNX files with the official checker and dumps what they contain as JSON.

Usage: python3 onnx_check.py MODEL.onnx [MODEL.onnx ...]
For each file: onnx.checker.check_model(full_check=True), then strict shape inference with type
checks; prints one JSON document (a list, one entry per file) describing the decoded model so
the TypeScript test can compare it with what the exporter meant to write.

When MODEL.rows.f32 exists next to a model (little-endian float32, row-major [N, n]), the graph
is also evaluated with numpy in float64 by the small interpreter below, a second implementation
independent of ONNX Runtime and of the exporter, and the outputs are included as "numpy_outputs".
"""
import json
import math
import os
import sys

import numpy as np

import onnx
from onnx import numpy_helper, shape_inference


def shape_of(value_info):
    tensor_type = value_info.type.tensor_type
    dims = []
    for dim in tensor_type.shape.dim:
        kind = dim.WhichOneof("value")
        dims.append(dim.dim_param if kind == "dim_param" else (dim.dim_value if kind == "dim_value" else None))
    return {"name": value_info.name, "elem_type": tensor_type.elem_type, "dims": dims}


def attribute_value(attribute):
    value = onnx.helper.get_attribute_value(attribute)
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, (list, tuple)):
        return list(value)
    return value


def attributes_of(node):
    return {attribute.name: onnx.helper.get_attribute_value(attribute) for attribute in node.attribute}


def softmax(x, axis):
    shifted = x - np.max(x, axis=axis, keepdims=True)
    exps = np.exp(shifted)
    return exps / np.sum(exps, axis=axis, keepdims=True)


# Each op as the ONNX operator documentation (opset 13) defines it, with ONNX's defaults.
OPS = {
    "Identity": lambda x, a: x[0],
    "MatMul": lambda x, a: x[0] @ x[1],
    "Add": lambda x, a: x[0] + x[1],
    "Sub": lambda x, a: x[0] - x[1],
    "Concat": lambda x, a: np.concatenate(x, axis=a["axis"]),
    "Mean": lambda x, a: sum(x) / len(x),
    "Mul": lambda x, a: x[0] * x[1],
    "Div": lambda x, a: x[0] / x[1],
    "Relu": lambda x, a: np.maximum(x[0], 0),
    "Sigmoid": lambda x, a: 1 / (1 + np.exp(-x[0])),
    "Tanh": lambda x, a: np.tanh(x[0]),
    "Softmax": lambda x, a: softmax(x[0], a.get("axis", -1)),
    "Clip": lambda x, a: np.clip(x[0], x[1] if len(x) > 1 else -np.inf, x[2] if len(x) > 2 else np.inf),
    "LeakyRelu": lambda x, a: np.where(x[0] >= 0, x[0], a.get("alpha", 0.01) * x[0]),
    "Elu": lambda x, a: np.where(x[0] > 0, x[0], a.get("alpha", 1.0) * np.expm1(x[0])),
    "Selu": lambda x, a: a.get("gamma", 1.0507) * np.where(x[0] > 0, x[0], a.get("alpha", 1.6733) * np.expm1(x[0])),
    "Softplus": lambda x, a: np.logaddexp(0, x[0]),
    "Softsign": lambda x, a: x[0] / (1 + np.abs(x[0])),
    "HardSigmoid": lambda x, a: np.clip(a.get("alpha", 0.2) * x[0] + a.get("beta", 0.5), 0, 1),
    "ThresholdedRelu": lambda x, a: np.where(x[0] > a.get("alpha", 1.0), x[0], 0),
    "PRelu": lambda x, a: np.where(x[0] >= 0, x[0], x[1] * x[0]),
    "Erf": lambda x, a: np.vectorize(math.erf)(x[0]),
    "Abs": lambda x, a: np.abs(x[0]),
    "Gather": lambda x, a: np.take(x[0], x[1].astype(np.int64), axis=a.get("axis", 0)),
    "Unsqueeze": lambda x, a: np.expand_dims(x[0], tuple(int(axis) for axis in x[1])),
    "Slice": lambda x, a: slice_axes(x[0], *[part.astype(np.int64) for part in x[1:]]),
    "Reshape": lambda x, a: x[0].reshape([x[0].shape[index] if dim == 0 else int(dim) for index, dim in enumerate(x[1])]),
    "ReduceMax": lambda x, a: np.max(x[0], axis=tuple(a["axes"]), keepdims=bool(a.get("keepdims", 1))),
}


def slice_axes(data, starts, ends, axes, steps=None):
    index = [slice(None)] * data.ndim
    for position, axis in enumerate(axes):
        index[int(axis)] = slice(int(starts[position]), int(ends[position]), None if steps is None else int(steps[position]))
    return data[tuple(index)]


def evaluate(model, rows):
    graph = model.graph
    values = {tensor.name: numpy_helper.to_array(tensor).astype(np.float64) for tensor in graph.initializer}
    values[graph.input[0].name] = rows
    for node in graph.node:
        values[node.output[0]] = OPS[node.op_type]([values[name] for name in node.input], attributes_of(node))
    return values[graph.output[0].name]


def describe(path):
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    inferred = shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    graph = model.graph
    rows_file = path[: -len(".onnx")] + ".rows.f32"
    numpy_outputs = None
    if os.path.exists(rows_file):
        width = graph.input[0].type.tensor_type.shape.dim[1].dim_value
        rows = np.fromfile(rows_file, dtype="<f4").astype(np.float64).reshape(-1, width)
        numpy_outputs = evaluate(model, rows).ravel().tolist()
    return {
        "numpy_outputs": numpy_outputs,
        "path": path,
        "onnx_version": onnx.__version__,
        "ir_version": model.ir_version,
        "opset": [{"domain": entry.domain, "version": entry.version} for entry in model.opset_import],
        "producer_name": model.producer_name,
        "producer_version": model.producer_version,
        "metadata": [[entry.key, entry.value] for entry in model.metadata_props],
        "inputs": [shape_of(value) for value in graph.input],
        "outputs": [shape_of(value) for value in graph.output],
        "inferred_outputs": [shape_of(value) for value in inferred.graph.output],
        "nodes": [
            {
                "name": node.name,
                "op_type": node.op_type,
                "inputs": list(node.input),
                "outputs": list(node.output),
                "attributes": {attribute.name: attribute_value(attribute) for attribute in node.attribute},
            }
            for node in graph.node
        ],
        "initializers": [
            {
                "name": tensor.name,
                "dims": list(tensor.dims),
                "data_type": tensor.data_type,
                "values": numpy_helper.to_array(tensor).astype("float64").ravel().tolist(),
            }
            for tensor in graph.initializer
        ],
    }


if __name__ == "__main__":
    print(json.dumps([describe(path) for path in sys.argv[1:]]))
