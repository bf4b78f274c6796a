#!/usr/bin/python3
"""Generates the JPEG fixtures of Tests/DataPrep.Tests/Codecs and their reference pixels.

Run from anywhere:  /usr/bin/python3 Tests/DataPrep.Tests/Fixtures/make_jpeg_fixtures.py
Needs Debian's libjpeg-turbo-progs (cjpeg, djpeg, jpegtran), libjpeg62-turbo-dev and gcc (for
write_cmyk_jpeg.c: cjpeg cannot write CMYK or YCCK), python3-numpy.

Output: Fixtures/Jpeg/NAME.jpg plus NAME.ref.pam, the pixels libjpeg-turbo's djpeg produces with its defaults
(accurate integer IDCT "-dct int", fancy upsampling, no block smoothing needed since every progressive script
here ends at Al = 0): PGM for grayscale, PPM otherwise (djpeg turns CMYK into RGB: R = C * K / 255, rounded).
Fixtures/Jpeg/Unsupported/*.jpg are files the decoder must reject (arithmetic coding); they have no reference.

Coverage: baseline and progressive x 4:4:4, 4:2:2, 4:2:0, 4:4:0, 4:1:1 and odd factors (3x1, 4x2, mixed), restart
intervals in rows and in blocks, optimised Huffman tables, grayscale, Adobe RGB, CMYK and YCCK, non-interleaved
sequential scans, custom successive-approximation scripts, and sizes from 1x1 up that are not multiples of the MCU.
"""
import os
import shutil
import subprocess
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(ROOT, "Jpeg")
rng = np.random.default_rng(20261127)


def run(cmd, data=None):
    return subprocess.run(cmd, input=data, capture_output=True, check=True).stdout


def picture(h, w, c):
    """Photo-like content: smooth colour gradients, a few hard-edged shapes, and noise (sigma ~6)."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    planes = []
    for _ in range(c):
        phase = rng.uniform(0, 2 * np.pi)
        p = 128 + 80 * np.sin(xx / max(w, 1) * rng.uniform(2, 6) + yy / max(h, 1) * rng.uniform(2, 5) + phase)
        planes.append(p)
    a = np.dstack(planes)
    for _ in range(3):  # rectangles with strong edges (ringing, clipping at 0 and 255)
        x0, y0 = int(rng.integers(0, max(1, w))), int(rng.integers(0, max(1, h)))
        x1, y1 = x0 + int(rng.integers(1, max(2, w // 2))), y0 + int(rng.integers(1, max(2, h // 2)))
        a[y0:y1, x0:x1] = rng.choice([0.0, 255.0], size=c)
    a += rng.normal(0, 6, a.shape)
    return np.clip(np.round(a), 0, 255).astype(np.uint8)


def netpbm(a):
    h, w, d = a.shape
    return f"P{5 if d == 1 else 6}\n{w} {h}\n255\n".encode() + a.tobytes()


def parse_netpbm(b):
    """Binary P5/P6 as written by djpeg -> HxWxD uint8."""
    tokens, pos = [], 2
    while len(tokens) < 3:
        while b[pos:pos + 1].isspace():
            pos += 1
        start = pos
        while not b[pos:pos + 1].isspace():
            pos += 1
        tokens.append(int(b[start:pos]))
    pos += 1
    w, h, m = tokens
    assert m == 255
    d = 3 if b[:2] == b"P6" else 1
    return np.frombuffer(b[pos:pos + w * h * d], np.uint8).reshape(h, w, d)


def write_pam(path, a):
    h, w, d = a.shape
    tupl = {1: "GRAYSCALE", 3: "RGB"}[d]
    with open(path, "wb") as f:
        f.write(f"P7\nWIDTH {w}\nHEIGHT {h}\nDEPTH {d}\nMAXVAL 255\nTUPLTYPE {tupl}\nENDHDR\n".encode())
        f.write(a.tobytes())


def emit(name, jpeg):
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(jpeg)
    write_pam(os.path.splitext(path)[0] + ".ref.pam", parse_netpbm(run(["djpeg", "-pnm", path])))


def cjpeg(a, *args):
    return run(["cjpeg", *args], netpbm(a))


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(os.path.join(OUT, "Unsupported"))
    tmp = tempfile.mkdtemp()
    try:
        helper = os.path.join(tmp, "write_cmyk_jpeg")
        run(["gcc", "-O1", "-o", helper, os.path.join(ROOT, "write_cmyk_jpeg.c"), "-ljpeg"])

        W, H = 37, 29  # not a multiple of 8 or 16 in either direction
        rgb = picture(H, W, 3)
        samplings = {"444": "1x1", "422": "2x1", "420": "2x2", "440": "1x2", "411": "4x1"}
        for label, s in samplings.items():
            emit(f"baseline_{label}.jpg", cjpeg(rgb, "-sample", s))
            emit(f"progressive_{label}.jpg", cjpeg(rgb, "-sample", s, "-progressive"))
        emit("baseline_h3v1.jpg", cjpeg(rgb, "-sample", "3x1,1x1,1x1"))
        emit("baseline_h4v2.jpg", cjpeg(rgb, "-sample", "4x2,1x1,1x1"))
        emit("baseline_mixed.jpg", cjpeg(rgb, "-sample", "2x2,1x2,2x1"))
        emit("progressive_mixed.jpg", cjpeg(rgb, "-sample", "2x2,2x1,1x2", "-progressive"))
        emit("baseline_420_q100.jpg", cjpeg(rgb, "-quality", "100"))
        emit("baseline_420_q5.jpg", cjpeg(rgb, "-quality", "5"))
        emit("extended_sof1_16bit_dqt.jpg", cjpeg(rgb, "-quality", "1"))  # quantisers over 255: SOF1, 16-bit DQT
        emit("optimized_420.jpg", cjpeg(rgb, "-optimize"))
        emit("optimized_444_q97.jpg", cjpeg(rgb, "-optimize", "-sample", "1x1", "-quality", "97"))
        emit("restart_rows_420.jpg", cjpeg(rgb, "-restart", "1"))
        emit("restart_blocks_444.jpg", cjpeg(rgb, "-sample", "1x1", "-restart", "5B"))
        emit("restart_every_mcu_422.jpg", cjpeg(rgb, "-sample", "2x1", "-restart", "1B"))
        emit("progressive_restart_420.jpg", cjpeg(rgb, "-progressive", "-restart", "2B"))
        emit("progressive_restart_rows_444.jpg", cjpeg(rgb, "-sample", "1x1", "-progressive", "-restart", "1"))
        emit("rgb_adobe.jpg", cjpeg(rgb, "-rgb"))
        emit("rgb_adobe_progressive.jpg", cjpeg(rgb, "-rgb", "-progressive"))
        emit("grayscale_from_rgb.jpg", cjpeg(rgb, "-grayscale"))

        gray = picture(H, W, 1)
        emit("gray_baseline.jpg", cjpeg(gray))
        emit("gray_progressive.jpg", cjpeg(gray, "-progressive"))
        emit("gray_restart.jpg", cjpeg(gray, "-restart", "3B", "-optimize"))
        emit("gray_sampled_2x2.jpg", cjpeg(gray, "-sample", "2x2"))  # one component: factors do not matter

        # Scan scripts: sequential with one scan per component; progressive with deep successive approximation
        # and non-interleaved DC scans.
        def scripted(name, script, a=rgb, *extra):
            path = os.path.join(tmp, name + ".txt")
            with open(path, "w") as f:
                f.write(script)
            emit(name + ".jpg", cjpeg(a, "-scans", path, *extra))

        scripted("sequential_noninterleaved_420", "0;\n2;\n1;\n")
        scripted("sequential_two_scans_422", "0;\n1 2;\n", rgb, "-sample", "2x1")
        scripted("sequential_noninterleaved_restart_420", "1;\n0;\n2;\n", rgb, "-restart", "2B")
        scripted("progressive_deep_420",
                 "0 1 2: 0-0, 0, 2;\n0: 1-5, 0, 3;\n2: 1-63, 0, 1;\n1: 1-63, 0, 1;\n0: 6-63, 0, 3;\n"
                 "0: 1-63, 3, 2;\n0 1 2: 0-0, 2, 1;\n0 1 2: 0-0, 1, 0;\n2: 1-63, 1, 0;\n1: 1-63, 1, 0;\n"
                 "0: 1-63, 2, 1;\n0: 1-63, 1, 0;\n")
        scripted("progressive_dc_separate_444",
                 "0: 0-0, 0, 0;\n1: 0-0, 0, 0;\n2: 0-0, 0, 0;\n0: 1-9, 0, 0;\n0: 10-63, 0, 0;\n1: 1-63, 0, 0;\n2: 1-63, 0, 0;\n",
                 rgb, "-sample", "1x1")
        scripted("progressive_restart_deep_420",
                 "0 1 2: 0-0, 0, 1;\n0: 1-63, 0, 2;\n1: 1-63, 0, 0;\n2: 1-63, 0, 0;\n0 1 2: 0-0, 1, 0;\n"
                 "0: 1-63, 2, 1;\n0: 1-63, 1, 0;\n", rgb, "-restart", "3B")

        # jpegtran: lossless recoding of a baseline file to progressive and with restart markers.
        base = cjpeg(picture(45, 67, 3), "-quality", "80")
        emit("photo_420.jpg", base)
        emit("photo_420_jpegtran_progressive.jpg", run(["jpegtran", "-progressive", "-optimize"], base))
        emit("photo_420_jpegtran_restart.jpg", run(["jpegtran", "-restart", "2B"], base))

        # Small and degenerate sizes (rows of at most two chroma samples use box upsampling in libjpeg).
        for (w, h), s in [((1, 1), "2x2"), ((2, 2), "2x2"), ((3, 1), "2x1"), ((1, 17), "2x2"), ((17, 1), "1x1"),
                          ((4, 3), "2x2"), ((5, 9), "1x2"), ((2, 9), "1x2"), ((1, 5), "2x1"), ((16, 16), "2x2"), ((8, 8), "1x1"), ((33, 2), "2x2")]:
            emit(f"size_{w}x{h}_{s}.jpg", cjpeg(picture(h, w, 3), "-sample", s))
        emit("size_2x2_progressive_420.jpg", cjpeg(picture(2, 2, 3), "-progressive"))

        # Adobe CMYK and YCCK (write_cmyk_jpeg.c, libjpeg's own encoder).
        def four(name, w, h, space, prog, sampling=None):
            cmyk = picture(h, w, 4)
            args = [helper, os.path.join(OUT, name), str(w), str(h), space, "1" if prog else "0"]
            if sampling:
                args.append(sampling)
            run(args, cmyk.tobytes())
            path = os.path.join(OUT, name)
            write_pam(os.path.splitext(path)[0] + ".ref.pam", parse_netpbm(run(["djpeg", "-pnm", path])))

        four("cmyk_444.jpg", W, H, "cmyk", False)
        four("cmyk_progressive.jpg", W, H, "cmyk", True)
        four("ycck_420.jpg", W, H, "ycck", False, "2x2,1x1,1x1,2x2")
        four("ycck_progressive_422.jpg", W, H, "ycck", True, "2x1,1x1,1x1,2x1")

        # Unsupported: arithmetic coding, sequential and progressive.
        with open(os.path.join(OUT, "Unsupported", "arithmetic.jpg"), "wb") as f:
            f.write(cjpeg(rgb, "-arithmetic"))
        with open(os.path.join(OUT, "Unsupported", "arithmetic_progressive.jpg"), "wb") as f:
            f.write(cjpeg(rgb, "-arithmetic", "-progressive"))
    finally:
        shutil.rmtree(tmp)

    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(OUT) for f in fs)
    print(f"JPEG fixtures written: {total / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
