#!/usr/bin/python3
"""Exports a torchvision classifier (1000 classes, random weights from a fixed seed) to ONNX for the ONNX inference
harness (Benchmarks/Onnx), which imports it with our OnnxImporter and times it against onnxruntime-node.

Usage: /usr/bin/python3 export_torchvision_onnx.py OUT.onnx [SIZE=64] [MODEL=resnet18]
MODEL is a torchvision.models constructor name (resnet18, mobilenet_v2, efficientnet_b0, ...).
The file: opset 13, input "input" [N, 3, SIZE, SIZE] with a dynamic batch axis, output "logits"; exported in eval mode
with constant folding (torch folds each BatchNorm into the convolution before it). Batch-norm running statistics and
affine parameters are drawn from the same seed, so the folded weights are not the identity-statistics special case.
Prints one JSON line: {"path", "bytes", "ops", "torch", "torchvision"}.
"""
import json
import os
import sys

import onnx
import torch
import torchvision


def main():
    out = sys.argv[1]
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    name = sys.argv[3] if len(sys.argv) > 3 else "resnet18"
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None, num_classes=1000)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
    model.eval()
    torch.onnx.export(model, torch.randn(1, 3, size, size), out, opset_version=13, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
                      do_constant_folding=True)
    graph = onnx.load(out)
    onnx.checker.check_model(graph)
    print(json.dumps({"path": out, "bytes": os.path.getsize(out), "ops": sorted({n.op_type for n in graph.graph.node}),
                      "torch": torch.__version__, "torchvision": torchvision.__version__}))


if __name__ == "__main__":
    main()
