"""Validates ONNX files with the official checker and dumps what they contain as JSON.

Usage: python3 onnx_check.py MODEL.onnx [MODEL.onnx ...]
For each file: onnx.checker.check_model(full_check=True), then strict shape inference with type
checks; prints one JSON document (a list, one entry per file) describing the decoded model so
the TypeScript test can compare it with what the exporter meant to write.
"""
import json
import sys

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


def describe(path):
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    inferred = shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    graph = model.graph
    return {
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
