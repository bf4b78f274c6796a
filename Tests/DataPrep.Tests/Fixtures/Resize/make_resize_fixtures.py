#!/usr/bin/python3
"""Reference resizes made with Pillow (Debian python3-pil) for ImageResizer's tests.

Writes a smooth-plus-noise RGB source and a gray source as binary PPM/PGM, and Pillow's resize of each
with NEAREST, BILINEAR, BICUBIC and BOX to several sizes (down, up, mixed). Deterministic.
Run: /usr/bin/python3 Tests/DataPrep.Tests/Fixtures/Resize/make_resize_fixtures.py
"""
import math
import os
import random

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
FILTERS = {"nearest": Image.NEAREST, "bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC, "area": Image.BOX}
SIZES = [(20, 15), (64, 48), (13, 29), (7, 5)]


def source(mode, w, h, seed):
    rnd = random.Random(seed)
    img = Image.new(mode, (w, h))
    px = img.load()
    for y in range(h):
        for x in range(w):
            base = [128 + 100 * math.sin(x * 0.35 + k) * math.cos(y * 0.27 - k) for k in range(3)]
            vals = tuple(max(0, min(255, int(b + rnd.randint(-20, 20)))) for b in base)
            px[x, y] = vals if mode == "RGB" else vals[0]
    return img


for name, mode, (w, h) in [("rgb", "RGB", (40, 30)), ("gray", "L", (17, 13))]:
    src = source(mode, w, h, 7)
    ext = "ppm" if mode == "RGB" else "pgm"
    src.save(os.path.join(HERE, f"{name}-source.{ext}"))
    for fname, f in FILTERS.items():
        for (tw, th) in SIZES:
            src.resize((tw, th), f).save(os.path.join(HERE, f"{name}-{fname}-{tw}x{th}.{ext}"))
print("done")
