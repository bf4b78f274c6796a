#!/usr/bin/env python3
"""Writes the PyTorch-exported fixture of the ONNX import tests (run with /usr/bin/python3; needs torch+torchvision).

torchvision mobilenet_v2 at width 0.25, 10 classes, fixed random weights (seed 0), batch-norm statistics randomised so
that eval mode differs from identity, exported at opset 13 with a dynamic batch. Writes, next to this script:
  mobilenet_v2_w025.onnx       the model
  mobilenet_v2_w025.input.bin  float32 little-endian input [2, 3, 32, 32]
  mobilenet_v2_w025.output.bin float32 little-endian logits [2, 10] from torch in eval mode
"""
import os
import numpy as np
import torch
import torchvision

here = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)
model = torchvision.models.mobilenet_v2(width_mult=0.25, num_classes=10)
with torch.no_grad():
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.3, 0.3)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.uniform_(0.5, 1.5)
            m.bias.uniform_(-0.2, 0.2)
model.eval()
x = torch.randn(2, 3, 32, 32)
with torch.no_grad():
    y = model(x)
path = os.path.join(here, "mobilenet_v2_w025.onnx")
torch.onnx.export(model, x, path, opset_version=13, input_names=["input"], output_names=["logits"],
                  dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}}, do_constant_folding=True)
x.numpy().astype("<f4").tofile(os.path.join(here, "mobilenet_v2_w025.input.bin"))
y.numpy().astype("<f4").tofile(os.path.join(here, "mobilenet_v2_w025.output.bin"))
print("wrote", path, os.path.getsize(path), "bytes; output", tuple(y.shape))
