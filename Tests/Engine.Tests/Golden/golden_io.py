"""Shared writer for the engine's golden files (run generators with /usr/bin/python3, Debian torch).

Each generator builds a list of cases and calls write(); GoldenFile.cs reads the result.
Keep cases small: the files are committed.
"""
import json
import os

import torch


def tensor(t):
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [float("%.9g" % v) for v in t.reshape(-1).tolist()]}


def case(name, attrs=None, **tensors):
    return {"name": name, "attrs": attrs or {}, "tensors": {k: tensor(v) for k, v in tensors.items()}}


def write(file_name, generator, cases):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), file_name)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"generator": generator, "torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    os.replace(tmp, path)
    print("wrote", path, len(cases), "cases")
