"""Anchor for the batchcursor harness: copy batches of 128 rows out of a 60,000 x 784 float32 tensor with PyTorch
(one thread), in order (slice copy) and shuffled (index_select into a preallocated batch). Prints one JSON line per mode."""
import json
import sys
import time

import torch

torch.set_num_threads(1)
rows, width, batch = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
epochs = int(sys.argv[4]) if len(sys.argv) > 4 else 5
data = torch.arange(rows * width, dtype=torch.float32).reshape(rows, width) * 0.001
out = torch.empty(batch, width, dtype=torch.float32)
gen = torch.Generator().manual_seed(1)


def epoch(shuffled):
    order = torch.randperm(rows, generator=gen) if shuffled else None
    for start in range(0, rows, batch):
        n = min(batch, rows - start)
        if shuffled:
            torch.index_select(data, 0, order[start:start + n], out=out[:n])
        else:
            out[:n].copy_(data[start:start + n])


for shuffled in (False, True):
    epoch(shuffled)
    best = 0.0
    for _ in range(epochs):
        t = time.perf_counter()
        epoch(shuffled)
        best = max(best, rows * width * 4 / (time.perf_counter() - t) / 1e9)
    print(json.dumps({"mode": "shuffled" if shuffled else "sequential", "gbps": best}))
