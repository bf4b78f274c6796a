#!/usr/bin/python3
"""PyTorch anchor for the per-layer convolution harness (Benchmarks/Layers).

Usage: conv_layers_torch.py THREADS SECONDS SPEC [SPEC ...]
SPEC = N,CIN,H,W,COUT,K,STRIDE,PAD. Prints one JSON object per spec: {"spec", "forward_ms", "backward_ms"} where
backward is the gradient of the input and of the weight together (what training needs), bias-free as in ResNets.
"""
import json
import sys
import time

import torch
import torch.nn.functional as F


def timed(fn, seconds):
    for _ in range(3):
        fn()
    runs, start = 0, time.perf_counter()
    while True:
        fn()
        runs += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and runs >= 5:
            return elapsed / runs * 1000


def main():
    threads, seconds = int(sys.argv[1]), float(sys.argv[2])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    for spec in sys.argv[3:]:
        n, cin, h, w, cout, k, stride, pad = (int(v) for v in spec.split(","))
        x = torch.randn(n, cin, h, w, requires_grad=True)
        weight = torch.randn(cout, cin, k, k, requires_grad=True)
        with torch.no_grad():
            forward = timed(lambda: F.conv2d(x, weight, None, stride, pad), seconds)
        y = F.conv2d(x, weight, None, stride, pad)
        dy = torch.randn_like(y)
        backward = timed(lambda: torch.autograd.grad(y, (x, weight), dy, retain_graph=True), seconds)
        print(json.dumps({"spec": spec, "forward_ms": forward, "backward_ms": backward}), flush=True)


main()
