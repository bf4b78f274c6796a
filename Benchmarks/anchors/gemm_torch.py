#!/usr/bin/python3
"""torch.mm anchor for the gemm harness. Usage: gemm_torch.py THREADS M,N,K [M,N,K ...]
Prints one JSON object per shape: {"shape": "MxNxK", "threads": t, "gflops": best-of-bursts}.
Run with OPENBLAS_CORETYPE=SkylakeX and OPENBLAS_NUM_THREADS=THREADS (the harness sets both)."""
import json
import sys
import time

import torch

threads = int(sys.argv[1])
torch.set_num_threads(threads)
for spec in sys.argv[2:]:
    m, n, k = (int(v) for v in spec.split(","))
    a, b = torch.randn(m, k), torch.randn(k, n)
    flop = 2.0 * m * n * k
    reps = max(1, int(2e9 / flop))
    torch.mm(a, b)
    best = 0.0
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(reps):
            torch.mm(a, b)
        best = max(best, flop * reps / (time.perf_counter() - start) / 1e9)
    print(json.dumps({"shape": f"{m}x{n}x{k}", "threads": threads, "gflops": best}), flush=True)
