#!/usr/bin/python3
"""JPEG decode anchor: Pillow (python3-pil 9.4 over libjpeg-turbo 2.1, SIMD) on one core, for the `jpeg` harness.

  jpeg_decode_pil.py make DIR [N=48] [progressive]
                                            writes N photo-like 500x375 RGB JPEGs to DIR (quality 90, 4:2:0,
                                            baseline, standard Huffman tables, as ../shared/anchors/jpeg_decode_bench.py;
                                            or libjpeg's default progressive script with optimised tables)
  jpeg_decode_pil.py time DIR [SECONDS=3]   decodes every DIR/*.jpg from memory in a loop, prints
                                            `pil_load_img_per_s X` (open + load) and `pil_array_img_per_s Y`
                                            (open + np.asarray, an HWC uint8 array like ours), and the
                                            process CPU time per image of each (`pil_load_cpu_ms`, `pil_array_cpu_ms`)

Pictures: the same generator as png_decode_pil.py (gradient, three tinted Fashion-MNIST items, noise sigma 6).
"""
import glob
import io
import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
from PIL import Image, features  # noqa: E402
from png_decode_pil import W, H, bench, items, picture  # noqa: E402


def make(folder, n, progressive):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(11)
    pool = items()
    sizes = []
    for i in range(n):
        path = os.path.join(folder, f"photo{i:03d}.jpg")
        picture(rng, pool).save(path, "JPEG", quality=90, subsampling=2, optimize=progressive, progressive=progressive)
        sizes.append(os.path.getsize(path))
    print(f"wrote {n} {'progressive' if progressive else 'baseline'} JPEGs {W}x{H} q90 4:2:0 to {folder}, mean {np.mean(sizes) / 1024:.0f} KiB "
          f"(Pillow {Image.__version__}, libjpeg API {features.version('jpg')})")


def timing(folder, seconds):
    blobs = [open(p, "rb").read() for p in sorted(glob.glob(os.path.join(folder, "*.jpg")))]
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
        make(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 48, len(sys.argv) > 4 and sys.argv[4] == "progressive")
    else:
        timing(sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 3.0)
