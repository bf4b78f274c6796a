"""Whole-model fixtures for ZooModelTests (run with /usr/bin/python3, Debian torch 1.13 / torchvision 0.14):

    /usr/bin/python3 gen_zoo_models.py [model ...]      (no names: all of MODELS)

For every torchvision family the zoo has, the torchvision model (10 classes) gets portable weights (portable_weights.py:
every parameter and buffer is a function of its state-dict key, so the C# test fills ours by the same names), runs a
portable input [2, 3, S, S] in eval mode, and the loss sum(logits * r) with a portable r [2, 10] is back-propagated.
zoo_model_<name>.bin (format in gen_zoo.py) holds only
    logits          [2, 10]
    grad.<key>      the gradient of the first convolution's weight (its first filters only where the whole would be
                    big: at most ~24,000 values)
zoo_portable.bin holds a few generated tensors so the C# generator is checked value for value on its own.
"""
import sys

import torch
import torchvision

import portable_weights as pw
from gen_zoo import write_bin

CLASSES = 10
BATCH = 2
MAX_GRAD_VALUES = 24000

# name in our ModelZoo -> (torchvision constructor, input size, running-variance centre). 32 is small and every family
# but AlexNet takes it; AlexNet's three overlapping max pools need at least 63 (conv1 must give 15 pixels). The gated
# networks (squeeze-and-excitation, SiLU/hard-swish) lose the input's signal under the bias terms with running variances
# around 1 (EfficientNet-B0's logits then move by 1e-4 of their size when the input changes); batch norm dividing by
# smaller variances keeps it, but not so small that the network amplifies rounding (at 0.6 float32 and float64 torch
# differ by 4e-4 in EfficientNet's gradient; model_case refuses fixtures whose float32 run is not 10x inside the tolerance).
MODELS = {
    "alexnet": (lambda: torchvision.models.alexnet(num_classes=CLASSES), 63, 1.0),
    "vgg11": (lambda: torchvision.models.vgg11(num_classes=CLASSES), 32, 1.0),
    "vgg11-bn": (lambda: torchvision.models.vgg11_bn(num_classes=CLASSES), 32, 1.0),
    "resnet18": (lambda: torchvision.models.resnet18(num_classes=CLASSES), 32, 1.0),
    "resnet50": (lambda: torchvision.models.resnet50(num_classes=CLASSES), 32, 1.0),
    "resnext50-32x4d": (lambda: torchvision.models.resnext50_32x4d(num_classes=CLASSES), 32, 1.0),
    "mobilenet-v2": (lambda: torchvision.models.mobilenet_v2(num_classes=CLASSES), 32, 1.0),
    "mobilenet-v3-large": (lambda: torchvision.models.mobilenet_v3_large(num_classes=CLASSES), 32, 1.0),
    "mobilenet-v3-small": (lambda: torchvision.models.mobilenet_v3_small(num_classes=CLASSES), 32, 0.7),
    "efficientnet-b0": (lambda: torchvision.models.efficientnet_b0(num_classes=CLASSES), 32, 0.65),
    "googlenet": (lambda: torchvision.models.googlenet(num_classes=CLASSES, aux_logits=False, init_weights=False), 32, 1.0),
    # torchvision's ViT takes image_size when no pretrained weights are asked for: 32x32 is 2x2 patches + class token.
    "vit-b16": (lambda: torchvision.models.vit_b_16(num_classes=CLASSES, image_size=32), 32, 1.0),
}


def first_conv(model):
    return next((k, p) for k, p in model.named_parameters() if p.dim() == 4)


def run(name, dtype):
    """(model, logits, first conv key, first conv weight) after forward and backward in `dtype`."""
    build, size, running_var = MODELS[name]
    torch.manual_seed(0)  # only the constructors' own initialisation, which fill_state overwrites
    model = build()
    pw.fill_state(model, running_var)
    model.eval()
    model.to(dtype)
    x = torch.from_numpy(pw.generate("input", [BATCH, 3, size, size], 0.0, 1.0)).to(dtype)
    r = torch.from_numpy(pw.generate("r", [BATCH, CLASSES], 0.0, 1.0)).to(dtype)
    logits = model(x)
    (logits * r).sum().backward()
    key, weight = first_conv(model)
    return model, x, logits, key, weight


def relative_error(a, b):
    return ((a.double() - b.double()).abs().max() / b.double().abs().max()).item()


def model_case(name):
    _, _, logits64, _, weight64 = run(name, torch.float64)
    model, x, logits, key, weight = run(name, torch.float32)
    logit_error, grad_error = relative_error(logits, logits64), relative_error(weight.grad, weight64.grad)
    assert logit_error < 1e-5 and grad_error < 1e-4, "%s is ill-conditioned: float32 torch is %.2g (logits) and %.2g " \
        "(gradient) away from float64" % (name, logit_error, grad_error)
    per_filter = weight[0].numel()
    filters = min(weight.shape[0], max(1, MAX_GRAD_VALUES // per_filter))
    write_bin("zoo_model_%s.bin" % name, {"logits": logits, "grad." + key: weight.grad[:filters]})
    with torch.no_grad():
        input_effect = (logits - model(torch.zeros_like(x))).abs().max().item()
    print("  %s: %d parameters, logits max |.| %.3g (%.3g of it from the input), %s grad max |.| %.3g; float32 vs "
          "float64 torch: %.2g, %.2g" % (name, sum(p.numel() for p in model.parameters()), logits.abs().max().item(),
                                         input_effect, key, weight.grad.abs().max().item(), logit_error, grad_error))


def probes():
    cases = [("features.0.weight", [4, 3, 3, 3]), ("layer1.0.bn1.running_var", [5]), ("layer1.0.bn1.weight", [3]),
             ("fc.bias", [7]), ("classifier.1.weight", [6, 40]), ("encoder.pos_embedding", [1, 2, 3]), ("κλειδί", [4, 2])]
    tensors = {k: torch.from_numpy(pw.generate(k, s)) for k, s in cases}
    tensors["input"] = torch.from_numpy(pw.generate("input", [2, 3, 2, 2], 0.0, 1.0))
    write_bin("zoo_portable.bin", tensors)


def main():
    names = sys.argv[1:] or list(MODELS)
    probes()
    for name in names:
        model_case(name)


if __name__ == "__main__":
    main()
