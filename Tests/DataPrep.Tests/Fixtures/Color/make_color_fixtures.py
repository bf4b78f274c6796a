#!/usr/bin/python3
"""Reference photometric operations made with Pillow (Debian python3-pil) for ColorOps' tests.
Run: /usr/bin/python3 Tests/DataPrep.Tests/Fixtures/Color/make_color_fixtures.py"""
import math
import os
import random

from PIL import Image, ImageEnhance, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))
rnd = random.Random(5)
src = Image.new("RGB", (24, 16))
px = src.load()
for y in range(16):
    for x in range(24):
        px[x, y] = tuple(max(0, min(255, int(120 + 90 * math.sin(0.4 * x + 1.3 * k) * math.cos(0.3 * y + k) + rnd.randint(-25, 25))))
                         for k in range(3))
src.save(os.path.join(HERE, "source.ppm"))
outputs = {
    "brightness-0.6": ImageEnhance.Brightness(src).enhance(0.6),
    "brightness-1.4": ImageEnhance.Brightness(src).enhance(1.4),
    "contrast-0.5": ImageEnhance.Contrast(src).enhance(0.5),
    "contrast-1.5": ImageEnhance.Contrast(src).enhance(1.5),
    "saturation-0.3": ImageEnhance.Color(src).enhance(0.3),
    "saturation-1.7": ImageEnhance.Color(src).enhance(1.7),
    "sharpness-0.2": ImageEnhance.Sharpness(src).enhance(0.2),
    "sharpness-2.0": ImageEnhance.Sharpness(src).enhance(2.0),
    "posterize-3": ImageOps.posterize(src, 3),
    "solarize-128": ImageOps.solarize(src, 128),
    "autocontrast": ImageOps.autocontrast(src),
    "equalize": ImageOps.equalize(src),
}
for name, img in outputs.items():
    img.save(os.path.join(HERE, name + ".ppm"))
print("done")
