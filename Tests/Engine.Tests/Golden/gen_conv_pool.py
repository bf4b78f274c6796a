#!/usr/bin/python3
"""Golden cases for the engine's convolution and pooling kernels, computed by PyTorch autograd.
Run: /usr/bin/python3 Tests/Engine.Tests/Golden/gen_conv_pool.py  (writes conv_pool.json beside it)"""
import torch
import torch.nn.functional as F

import golden_io

torch.manual_seed(1234)
cases = []


def conv(name, n, cin, h, w, cout, k, stride=1, padding=0, dilation=1, groups=1, bias=True):
    x = torch.randn(n, cin, h, w, dtype=torch.float64, requires_grad=True)
    wt = torch.randn(cout, cin // groups, k[0], k[1], dtype=torch.float64, requires_grad=True)
    b = torch.randn(cout, dtype=torch.float64, requires_grad=True) if bias else None
    y = F.conv2d(x, wt, b, stride, padding, dilation, groups)
    dy = torch.randn_like(y)
    y.backward(dy)
    attrs = {"stride": list(stride) if isinstance(stride, tuple) else [stride, stride],
             "padding": list(padding) if isinstance(padding, tuple) else [padding, padding],
             "dilation": [dilation, dilation], "groups": groups}
    tensors = dict(x=x, w=wt, y=y, dy=dy, dx=x.grad, dw=wt.grad)
    if bias:
        tensors.update(b=b, db=b.grad)
    cases.append(golden_io.case(name, attrs, **tensors))


def pool(name, kind, n, c, h, w, k, stride, padding=0, ceil=False, include_pad=True):
    x = torch.randn(n, c, h, w, dtype=torch.float64, requires_grad=True)
    if kind == "max":
        y = F.max_pool2d(x, k, stride, padding, ceil_mode=ceil)
    else:
        y = F.avg_pool2d(x, k, stride, padding, ceil_mode=ceil, count_include_pad=include_pad)
    dy = torch.randn_like(y)
    y.backward(dy)
    attrs = {"kind": kind, "kernel": k, "stride": stride, "padding": padding, "ceil": ceil, "include_pad": include_pad}
    cases.append(golden_io.case(name, attrs, x=x, y=y, dy=dy, dx=x.grad))


conv("conv3x3_pad1", 2, 3, 6, 7, 4, (3, 3), 1, 1)
conv("conv5x5_stride2_nobias", 1, 2, 9, 8, 3, (5, 5), 2, 2, bias=False)
conv("conv_dilated", 1, 2, 9, 9, 2, (3, 3), 1, 2, 2)
conv("conv_grouped", 2, 4, 5, 5, 6, (3, 3), 1, 1, 1, 2)
conv("conv_depthwise_stride2", 1, 3, 7, 7, 6, (3, 3), 2, 1, 1, 3)
conv("conv_rect_kernel", 1, 2, 6, 7, 3, (3, 1), (2, 1), (1, 0))
pool("maxpool_2x2", "max", 2, 3, 6, 6, 2, 2)
pool("maxpool_3x3_s2_ceil", "max", 1, 2, 8, 8, 3, 2, 0, True)
pool("maxpool_3x3_s2_pad1", "max", 1, 2, 7, 7, 3, 2, 1)
pool("avgpool_3x3_s2_pad1_incl", "avg", 1, 2, 7, 6, 3, 2, 1, False, True)
pool("avgpool_3x3_s2_pad1_excl_ceil", "avg", 1, 2, 8, 7, 3, 2, 1, True, False)
pool("avgpool_2x2", "avg", 2, 2, 4, 6, 2, 2)
golden_io.write("conv_pool.json", "gen_conv_pool.py", cases)
