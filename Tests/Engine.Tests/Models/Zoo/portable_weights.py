"""Portable deterministic weights: the same numbers from a tensor's name and shape here (numpy) and in C#
(Tests/Engine.Tests/Models/Zoo/PortableWeights.cs), so fixtures of big models need not ship their weights.

Element i of the tensor named `key` (UTF-8) is drawn from a counter-based stream:

    seed = FNV-1a-64(key)
    z    = splitmix64_finalise(seed + (i + 1) * 0x9E3779B97F4A7C15)        (all arithmetic mod 2**64)
    u    = (z >> 40) * 2**-24                                                in [0, 1), exact in float32
    v    = float32(centre + half_width * (2 * u - 1))                        computed in float64

and (centre, half_width) depend on the name and shape only (see `spread`): He-uniform over the fan-in for weights of
rank 2 and more (so deep ReLU stacks without normalisation keep their scale), 1 +- 0.2 for normalisation scales,
v +- v/4 for running variances (always positive; v = 1 unless given: a smaller v lets batch norm amplify, which keeps the
input's signal alive through deep gated networks such as EfficientNet, where the biases would otherwise dominate the
logits), 0 +- 0.1 for biases, running means and anything else of rank 1.
"""
import math

import numpy as np

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
MIX1 = np.uint64(0xBF58476D1CE4E5B9)
MIX2 = np.uint64(0x94D049BB133111EB)
CHUNK = 1 << 22


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def uniform01(key, count):
    """count float64 values in [0, 1) for `key` (multiples of 2**-24)."""
    seed = np.uint64(fnv1a64(key))
    out = np.empty(count, dtype=np.float64)
    with np.errstate(over="ignore"):
        for start in range(0, count, CHUNK):
            i = np.arange(start + 1, min(count, start + CHUNK) + 1, dtype=np.uint64)
            z = seed + i * GOLDEN
            z = (z ^ (z >> np.uint64(30))) * MIX1
            z = (z ^ (z >> np.uint64(27))) * MIX2
            z = z ^ (z >> np.uint64(31))
            out[start:start + len(i)] = (z >> np.uint64(40)).astype(np.float64) * (2.0 ** -24)
    return out


def spread(key, shape, running_var=1.0):
    """(centre, half width) of the uniform draw for the tensor `key` of `shape`."""
    if len(shape) >= 2:
        fan_in = 1
        for d in shape[1:]:
            fan_in *= d
        return 0.0, math.sqrt(6.0 / fan_in)
    if key.endswith("running_var"):
        return running_var, running_var / 4
    if key.endswith("weight"):
        return 1.0, 0.2
    return 0.0, 0.1


def generate(key, shape, centre=None, half_width=None):
    """The float32 numpy array of `shape` for `key` (spread from the name unless both centre and half_width are given)."""
    shape = [int(d) for d in shape]
    if centre is None or half_width is None:
        centre, half_width = spread(key, shape)
    count = 1
    for d in shape:
        count *= d
    u = uniform01(key, count)
    return (centre + half_width * (2.0 * u - 1.0)).astype(np.float32).reshape(shape)


def fill_state(model, running_var=1.0):
    """Overwrites every floating-point parameter and buffer of a torch module with its portable values, by state-dict key
    (running variances centred on `running_var`)."""
    import torch
    with torch.no_grad():
        for key, t in model.state_dict().items():
            if t.is_floating_point():
                centre, half_width = spread(key, list(t.shape), running_var)
                t.copy_(torch.from_numpy(generate(key, list(t.shape), centre, half_width)))
