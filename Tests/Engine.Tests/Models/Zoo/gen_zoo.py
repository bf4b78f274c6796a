"""Fixtures for ZooTests (run with /usr/bin/python3, Debian torch 1.13 / torchvision 0.14):

zoo_keys.txt   torchvision's state-dict keys and shapes for one model per family (1000 classes, 3 channels), so the
               tests can check that our models carry the same names and shapes (weights load by name).
zoo_*.bin      named float32 tensors (format below): weights, inputs and reference outputs of torchvision modules.
               mobilenet_v2_025: the whole MobileNetV2 at width 0.25, 10 classes, 32x32 inputs, eval-mode logits.
               bottleneck / mbconv / inception / lrn / mbv3_block / vit (a tiny whole ViT): single blocks, eval and train-mode outputs, train-mode gradients of
               sum(y * r) for the input and every parameter.

Binary format (little-endian): b"MLPZ", int32 count, then per tensor: int32 name length, UTF-8 name, int32 rank,
int32 dims[rank], float32 data (row-major). Scalars (num_batches_tracked) are written with rank 1.
"""
import os
import struct

import torch
import torchvision
from torchvision.models import resnet, efficientnet
from torchvision.models.googlenet import Inception

HERE = os.path.dirname(os.path.abspath(__file__))


def write_bin(file_name, tensors):
    path = os.path.join(HERE, file_name)
    with open(path, "wb") as f:
        f.write(b"MLPZ")
        f.write(struct.pack("<i", len(tensors)))
        for name, t in tensors.items():
            t = t.detach().to(torch.float32).contiguous()
            shape = list(t.shape) or [1]
            raw = name.encode("utf-8")
            f.write(struct.pack("<i", len(raw)))
            f.write(raw)
            f.write(struct.pack("<i", len(shape)))
            f.write(struct.pack("<%di" % len(shape), *shape))
            f.write(t.reshape(-1).numpy().astype("<f4").tobytes())
    print("wrote", path, os.path.getsize(path), "bytes")


def randomise(model, gen):
    """Non-trivial weights and running statistics, so eval-mode outputs test every parameter and buffer."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias") or p.dim() == 1:
                p.copy_(torch.rand(p.shape, generator=gen) * 0.4 - 0.2 + (1.0 if name.endswith("weight") else 0.0))
        for name, b in model.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(torch.rand(b.shape, generator=gen) * 0.2 - 0.1)
            elif name.endswith("running_var"):
                b.copy_(torch.rand(b.shape, generator=gen) * 0.5 + 0.75)


def keys():
    models = {
        "alexnet": torchvision.models.alexnet(),
        "vgg11-bn": torchvision.models.vgg11_bn(),
        "resnet18": torchvision.models.resnet18(),
        "resnet50": torchvision.models.resnet50(),
        "resnext50-32x4d": torchvision.models.resnext50_32x4d(),
        "mobilenet-v2": torchvision.models.mobilenet_v2(),
        "efficientnet-b0": torchvision.models.efficientnet_b0(),
        "googlenet": torchvision.models.googlenet(aux_logits=False, init_weights=True),
        "googlenet-aux": torchvision.models.googlenet(aux_logits=True, init_weights=True),
        "mobilenet-v3-large": torchvision.models.mobilenet_v3_large(),
    }
    path = os.path.join(HERE, "zoo_keys.txt")
    with open(path, "w") as f:
        for name, model in models.items():
            f.write("model %s\n" % name)
            for key, t in model.state_dict().items():
                f.write("%s %s\n" % (key, ",".join(str(d) for d in (list(t.shape) or [1]))))
    print("wrote", path)


def block_case(file_name, module, x_shape, gen):
    randomise(module, gen)
    x = torch.randn(x_shape, generator=gen)
    out = {"x": x}
    module.eval()
    with torch.no_grad():
        out["y_eval"] = module(x)
    r = torch.rand(out["y_eval"].shape, generator=gen) - 0.5
    out["r"] = r
    state = {k: v.clone() for k, v in module.state_dict().items()}
    module.train()
    xg = x.clone().requires_grad_(True)
    y = module(xg)
    (y * r).sum().backward()
    out["y_train"] = y
    out["dx_train"] = xg.grad
    for k, p in module.named_parameters():
        out["grad." + k] = p.grad
    for k, v in state.items():
        out["state." + k] = v
    write_bin(file_name, out)


def main():
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1234)
    keys()

    model = torchvision.models.mobilenet_v2(width_mult=0.25, num_classes=10)
    randomise(model, gen)
    model.eval()
    x = torch.randn(2, 3, 32, 32, generator=gen)
    with torch.no_grad():
        logits = model(x)
    tensors = {"state." + k: v for k, v in model.state_dict().items()}
    tensors["x"] = x
    tensors["logits"] = logits
    write_bin("zoo_mobilenet_v2_025.bin", tensors)

    # ResNeXt-style bottleneck: 8 -> 4 x 4 = 16 channels, stride 2, 2 groups of width 2 (width = int(4 * 32 / 64) * 2 = 4).
    down = torch.nn.Sequential(torch.nn.Conv2d(8, 16, 1, 2, bias=False), torch.nn.BatchNorm2d(16))
    block_case("zoo_bottleneck.bin", resnet.Bottleneck(8, 4, stride=2, downsample=down, groups=2, base_width=32), (2, 8, 7, 7), gen)

    cfg = efficientnet.MBConvConfig(6, 5, 1, 8, 8, 1, 1.0, 1.0)
    block_case("zoo_mbconv.bin", efficientnet.MBConv(cfg, 0.0, torch.nn.BatchNorm2d), (2, 8, 6, 6), gen)

    block_case("zoo_inception.bin", Inception(6, 4, 3, 5, 2, 3, 2), (2, 6, 5, 5), gen)

    # Local response normalisation with an even window (asymmetric around each channel) and AlexNet's constants scaled up.
    block_case("zoo_lrn.bin", torch.nn.LocalResponseNorm(4, alpha=0.5, beta=0.75, k=2.0), (2, 7, 3, 3), gen)

    # MobileNetV3 block: expansion, 5x5 depthwise, squeeze-and-excitation (hard-sigmoid), hard-swish, residual.
    from functools import partial
    from torchvision.models import mobilenetv3
    v3cfg = mobilenetv3.InvertedResidualConfig(8, 5, 24, 8, True, "HS", 1, 1, 1.0)
    block_case("zoo_mbv3_block.bin", mobilenetv3.InvertedResidual(v3cfg, partial(torch.nn.BatchNorm2d, eps=0.001, momentum=0.01)), (2, 8, 5, 5), gen)

    # A tiny ViT (32x32 images, 8x8 patches: 16 tokens + class token, 2 layers, 2 heads of 8): the whole model as a "block".
    vit = torchvision.models.VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=2, hidden_dim=16, mlp_dim=24, num_classes=5)
    with torch.no_grad():
        for name, p in vit.named_parameters():
            if name in ("class_token", "heads.head.weight", "heads.head.bias") or name.endswith("in_proj_bias") or name.endswith("out_proj.bias"):
                p.copy_(torch.randn(p.shape, generator=gen) * 0.5)  # torchvision zeroes these; make them matter
    block_case("zoo_vit.bin", vit, (2, 3, 32, 32), gen)


if __name__ == "__main__":
    main()
