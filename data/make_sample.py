#!/usr/bin/python3
"""Writes the bundled sample dataset: a class-balanced subset of Fashion-MNIST.

Source: Debian package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist), MIT licence.
Takes the first TRAIN_PER_CLASS training and TEST_PER_CLASS test images of each class, in file order,
and writes them as gzipped IDX files (the same format as the originals) next to this script.
Run: /usr/bin/python3 data/make_sample.py
"""
import gzip
import os
import struct

SRC = "/usr/share/datasets/fashion-mnist"
HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN_PER_CLASS = 600
TEST_PER_CLASS = 100


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">i", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "i" * ndim, data[4:4 + 4 * ndim])
    return dims, data[4 + 4 * ndim:]


def write_idx(path, magic, dims, payload):
    tmp = path + ".tmp"
    # mtime=0 keeps the gzip bytes reproducible
    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as f:
        f.write(struct.pack(">i", magic) + struct.pack(">" + "i" * len(dims), *dims) + payload)
    os.replace(tmp, path)


def subset(split, per_class, out_prefix):
    (n, h, w), images = read_idx(f"{SRC}/{split}-images-idx3-ubyte.gz")
    _, labels = read_idx(f"{SRC}/{split}-labels-idx1-ubyte.gz")
    counts = [0] * 10
    keep = []
    for i in range(n):
        c = labels[i]
        if counts[c] < per_class:
            counts[c] += 1
            keep.append(i)
    size = h * w
    write_idx(f"{HERE}/{out_prefix}-images-idx3-ubyte.gz", 0x00000803, (len(keep), h, w),
              b"".join(images[i * size:(i + 1) * size] for i in keep))
    write_idx(f"{HERE}/{out_prefix}-labels-idx1-ubyte.gz", 0x00000801, (len(keep),),
              bytes(labels[i] for i in keep))
    print(out_prefix, len(keep), "images", counts)


subset("train", TRAIN_PER_CLASS, "fashion-sample-train")
subset("t10k", TEST_PER_CLASS, "fashion-sample-test")
