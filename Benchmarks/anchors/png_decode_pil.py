#!/usr/bin/python3
"""PNG decode anchor: Pillow (python3-pil, zlib inside) on one core, for the `png` harness.

  png_decode_pil.py make DIR [N=48]        writes N photo-like 500x375 RGB PNGs to DIR (Pillow's default
                                           PNG save: zlib level 6, adaptive filters), prints a summary
  png_decode_pil.py time DIR [SECONDS=3]   decodes every DIR/*.png from memory in a loop, prints
                                           `pil_load_img_per_s X` (open + load) and `pil_array_img_per_s Y`
                                           (open + np.asarray, an HWC uint8 array like ours), and the
                                           process CPU time per image of each (`pil_load_cpu_ms`, `pil_array_cpu_ms`)

Pictures: a smooth two-colour gradient, three Fashion-MNIST items (Debian dataset-fashion-mnist) upscaled
bicubic to 150-300 px, tinted and blended in, plus Gaussian noise (sigma 6) for sensor-like texture.
"""
import glob
import gzip
import io
import os
import struct
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

W, H = 500, 375
FMNIST = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"


def items():
    with gzip.open(FMNIST, "rb") as f:
        raw = f.read()
    n, rows, cols = struct.unpack(">III", raw[4:16])
    return np.frombuffer(raw, np.uint8, offset=16).reshape(n, rows, cols)


def picture(rng, pool):
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    a, b = rng.uniform(30, 225, 3), rng.uniform(30, 225, 3)
    t = ((xx / W) * rng.uniform(0.2, 1.0) + (yy / H) * rng.uniform(0.2, 1.0))[..., None] / 2
    canvas = a * (1 - t) + b * t
    for _ in range(3):
        size = int(rng.integers(150, 300))
        item = Image.fromarray(pool[int(rng.integers(0, len(pool)))]).resize((size, size), Image.BICUBIC)
        m = np.asarray(item, np.float32)[..., None] / 255.0
        x0 = int(rng.integers(0, W - size))
        y0 = int(rng.integers(0, H - 40))
        hh = min(size, H - y0)
        tint = rng.uniform(20, 255, 3)
        region = canvas[y0:y0 + hh, x0:x0 + size]
        canvas[y0:y0 + hh, x0:x0 + size] = region * (1 - m[:hh]) + tint * (0.4 + 0.6 * m[:hh]) * m[:hh]
    canvas += rng.normal(0, 6, canvas.shape)
    return Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8), "RGB")


def make(folder, n):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(7)
    pool = items()
    sizes = []
    for i in range(n):
        path = os.path.join(folder, f"photo{i:03d}.png")
        picture(rng, pool).save(path, "PNG")
        sizes.append(os.path.getsize(path))
    print(f"wrote {n} PNGs {W}x{H} RGB to {folder}, mean {np.mean(sizes) / 1024:.0f} KiB (Pillow {Image.__version__})")


def bench(blobs, fn, seconds):
    """(images per wall-clock second, process CPU milliseconds per image)."""
    for b in blobs[:4]:
        fn(b)
    n, t0, c0 = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - t0 < seconds:
        for b in blobs:
            fn(b)
        n += len(blobs)
    return n / (time.perf_counter() - t0), (time.process_time() - c0) * 1000 / n


def timing(folder, seconds):
    blobs = [open(p, "rb").read() for p in sorted(glob.glob(os.path.join(folder, "*.png")))]
    load, load_cpu = bench(blobs, lambda b: Image.open(io.BytesIO(b)).load(), seconds)
    array, array_cpu = bench(blobs, lambda b: np.asarray(Image.open(io.BytesIO(b))), seconds)
    print(f"pil_load_img_per_s {load:.1f}")
    print(f"pil_array_img_per_s {array:.1f}")
    print(f"pil_load_cpu_ms {load_cpu:.4f}")
    print(f"pil_array_cpu_ms {array_cpu:.4f}")


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("make", "time"):
        sys.exit(__doc__)
    if sys.argv[1] == "make":
        make(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 48)
    else:
        timing(sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 3.0)
