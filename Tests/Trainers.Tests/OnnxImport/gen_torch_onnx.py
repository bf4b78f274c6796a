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


class OpsNet(torch.nn.Module):
    """Small net whose export exercises PyTorch's op patterns: reflect pad, PReLU, nearest and bilinear upsampling,
    LayerNorm, the Shape/Gather/Unsqueeze/Concat/Reshape flatten of x.view(x.size(0), -1), Hardswish, LogSoftmax."""

    def __init__(self):
        super().__init__()
        self.pad = torch.nn.ReflectionPad2d(1)
        self.conv = torch.nn.Conv2d(3, 6, 3, stride=2)
        self.bn = torch.nn.BatchNorm2d(6)
        self.prelu = torch.nn.PReLU(6)
        self.up = torch.nn.Upsample(scale_factor=2, mode="nearest")
        self.conv2 = torch.nn.Conv2d(6, 4, 3, padding=1, groups=2)
        self.up2 = torch.nn.Upsample(scale_factor=0.5, mode="bilinear", align_corners=False)
        self.norm = torch.nn.LayerNorm(4)
        self.fc = torch.nn.Linear(4 * 8 * 8, 5)

    def forward(self, x):
        x = self.prelu(self.bn(self.conv(self.pad(x))))
        x = torch.nn.functional.hardswish(self.conv2(self.up(x)))
        x = self.up2(x)
        x = self.norm(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
        x = torch.clamp(x, -2.0, 2.0)
        x = self.fc(x.reshape(x.size(0), -1))
        return torch.log_softmax(x, dim=1)


torch.manual_seed(1)
ops = OpsNet()
with torch.no_grad():
    ops.bn.running_mean.uniform_(-0.3, 0.3)
    ops.bn.running_var.uniform_(0.5, 1.5)
    ops.prelu.weight.uniform_(0.05, 0.3)
ops.eval()
x = torch.randn(2, 3, 16, 16)
with torch.no_grad():
    y = ops(x)
path = os.path.join(here, "torch_ops.onnx")
torch.onnx.export(ops, x, path, opset_version=11, input_names=["input"], output_names=["logp"],
                  dynamic_axes={"input": {0: "N"}, "logp": {0: "N"}}, do_constant_folding=False)
x.numpy().astype("<f4").tofile(os.path.join(here, "torch_ops.input.bin"))
y.numpy().astype("<f4").tofile(os.path.join(here, "torch_ops.output.bin"))
print("wrote", path, os.path.getsize(path), "bytes; output", tuple(y.shape))


# Whole torchvision networks whose weights are too big to commit (issue 7): ResNet-18 at 64x64 and a VGG-11-BN slice.
# Every parameter and buffer gets its portable value (Tests/Engine.Tests/Models/Zoo/portable_weights.py: a function of
# the state-dict key and shape that the C# test computes too). The model is exported with its training mode preserved
# (eval here) and without constant folding, so batch norm stays BatchNormalization and every initializer keeps its
# torch state-dict key. The weights then go to an external-data file that is deleted: the committed .onnx is the graph
# with external references only, and the test writes the file again from the generator before importing.
#   <name>.onnx         the graph; initializers over 1 KiB refer to <name>.weights (offset, length)
#   <name>.output.bin   float32 logits [2, 10] from torch in eval mode for the portable input [2, 3, 64, 64] ("input", +-1)
import sys
import onnx
from onnx import external_data_helper

sys.path.insert(0, os.path.join(here, "..", "..", "Engine.Tests", "Models", "Zoo"))
import portable_weights as pw  # noqa: E402


class Vgg11BnSlice(torch.nn.Module):
    """torchvision vgg11_bn's features through the third block (256 channels, 1/8 resolution), then a small classifier
    on a 2x2 adaptive average pool; the names follow torchvision's (features.N, classifier.N)."""

    def __init__(self):
        super().__init__()
        self.features = torchvision.models.vgg11_bn().features[:15]
        self.avgpool = torch.nn.AdaptiveAvgPool2d((2, 2))
        self.classifier = torch.nn.Sequential(torch.nn.Linear(256 * 2 * 2, 64), torch.nn.ReLU(True), torch.nn.Dropout(0.5),
                                              torch.nn.Linear(64, 10))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


def export_portable(name, model):
    pw.fill_state(model)
    model.eval()
    x = torch.from_numpy(pw.generate("input", [2, 3, 64, 64], 0.0, 1.0))
    with torch.no_grad():
        y = model(x)
    path = os.path.join(here, name + ".onnx")
    torch.onnx.export(model, x, path, opset_version=13, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    m = onnx.load(path)
    keys = set(model.state_dict())
    strangers = [t.name for t in m.graph.initializer if t.data_type == onnx.TensorProto.FLOAT and t.name not in keys]
    assert not strangers, "float initializers that are not state-dict keys: %s" % strangers
    external_data_helper.convert_model_to_external_data(m, all_tensors_to_one_file=True, location=name + ".weights",
                                                        size_threshold=1024)
    onnx.save_model(m, path)
    os.remove(os.path.join(here, name + ".weights"))
    y.numpy().astype("<f4").tofile(os.path.join(here, name + ".output.bin"))
    print("wrote", path, os.path.getsize(path), "bytes; %d initializers; logits max |.| %.3g" % (
        len(m.graph.initializer), y.abs().max().item()))


torch.manual_seed(2)
export_portable("resnet18_64", torchvision.models.resnet18(num_classes=10))
export_portable("vgg11_bn_slice", Vgg11BnSlice())
