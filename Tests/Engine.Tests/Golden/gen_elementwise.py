#!/usr/bin/python3
"""Golden cases for activations, normalisation, softmax and cross-entropy, from PyTorch autograd.
Run: /usr/bin/python3 Tests/Engine.Tests/Golden/gen_elementwise.py  (writes elementwise.json beside it)"""
import torch
import torch.nn.functional as F

import golden_io

torch.manual_seed(99)
cases = []
x = torch.arange(-28, 28, dtype=torch.float64) * 0.25 + 0.0625  # exactly representable in float32, no kinks
# The kinks. Not 3.0: PyTorch 1.13's hardswish backward gives 1.0 there in its vectorised loop and 1.5 in its
# scalar tail; we follow the scalar definition (x <= 3 takes x/3 + 1/2) and leave that point out.
x = torch.cat([x, torch.tensor([-3.0, 0.0, 6.0], dtype=torch.float64)])
acts = {
    "Relu": F.relu, "LeakyRelu": lambda v: F.leaky_relu(v, 0.1), "Relu6": F.relu6, "Sigmoid": torch.sigmoid,
    "Tanh": torch.tanh, "Gelu": F.gelu, "GeluTanh": lambda v: F.gelu(v, approximate="tanh"), "Silu": F.silu,
    "HardSwish": F.hardswish, "HardSigmoid": F.hardsigmoid,
}
for name, f in acts.items():
    xi = x.clone().requires_grad_(True)
    y = f(xi)
    dy = torch.randn_like(y)
    y.backward(dy)
    cases.append(golden_io.case("act_" + name, {"kind": name}, x=xi, y=y, dy=dy, dx=xi.grad))

# Batch norm, training step: output, input and parameter gradients, running statistics after the step.
xb = torch.randn(3, 4, 5, 2, dtype=torch.float64, requires_grad=True)
bn = torch.nn.BatchNorm2d(4, momentum=0.1).double()
with torch.no_grad():
    bn.weight.copy_(torch.randn(4)); bn.bias.copy_(torch.randn(4))
    bn.running_mean.copy_(torch.randn(4)); bn.running_var.copy_(torch.rand(4) + 0.5)
rm0, rv0 = bn.running_mean.clone(), bn.running_var.clone()
y = bn(xb)
dy = torch.randn_like(y)
y.backward(dy)
cases.append(golden_io.case("batchnorm_train", {"eps": 1e-5, "momentum": 0.1}, x=xb, gamma=bn.weight, beta=bn.bias,
                            running_mean0=rm0, running_var0=rv0, y=y, dy=dy, dx=xb.grad, dgamma=bn.weight.grad,
                            dbeta=bn.bias.grad, running_mean=bn.running_mean, running_var=bn.running_var))
bn.eval()
ye = bn(xb)
cases.append(golden_io.case("batchnorm_eval", {"eps": 1e-5}, x=xb, gamma=bn.weight, beta=bn.bias,
                            running_mean=bn.running_mean, running_var=bn.running_var, y=ye))

xl = torch.randn(4, 7, dtype=torch.float64, requires_grad=True)
ln = torch.nn.LayerNorm(7).double()
with torch.no_grad():
    ln.weight.copy_(torch.randn(7)); ln.bias.copy_(torch.randn(7))
y = ln(xl)
dy = torch.randn_like(y)
y.backward(dy)
cases.append(golden_io.case("layernorm", {"eps": 1e-5}, x=xl, gamma=ln.weight, beta=ln.bias, y=y, dy=dy, dx=xl.grad,
                            dgamma=ln.weight.grad, dbeta=ln.bias.grad))

for name, f in {"softmax": F.softmax, "log_softmax": F.log_softmax}.items():
    xs = (torch.randn(3, 6, dtype=torch.float64) * 3).requires_grad_(True)
    y = f(xs, dim=1)
    dy = torch.randn_like(y)
    y.backward(dy)
    cases.append(golden_io.case(name, {}, x=xs, y=y, dy=dy, dx=xs.grad))

logits = (torch.randn(6, 5, dtype=torch.float64) * 2)
targets = torch.tensor([0, 3, 4, 1, 3, 2])
weights = torch.tensor([1.0, 2.0, 0.5, 1.5, 3.0], dtype=torch.float64)
for name, kw in {"ce_plain": {}, "ce_smooth": {"label_smoothing": 0.1}, "ce_weighted": {"weight": weights},
                 "ce_weighted_smooth": {"weight": weights, "label_smoothing": 0.2}}.items():
    z = logits.clone().requires_grad_(True)
    loss = F.cross_entropy(z, targets, **kw)
    loss.backward()
    attrs = {"smoothing": kw.get("label_smoothing", 0.0), "weighted": "weight" in kw}
    cases.append(golden_io.case(name, attrs, logits=z, targets=targets.double(), weights=weights,
                                loss=loss.reshape(1), dlogits=z.grad))
soft = torch.softmax(torch.randn(6, 5, dtype=torch.float64), dim=1)
z = logits.clone().requires_grad_(True)
loss = F.cross_entropy(z, soft)
loss.backward()
cases.append(golden_io.case("ce_soft", {"smoothing": 0.0}, logits=z, soft=soft, loss=loss.reshape(1), dlogits=z.grad))
golden_io.write("elementwise.json", "gen_elementwise.py", cases)
