#!/usr/bin/python3
"""Generates the PNG, BMP, GIF and Netpbm fixtures of Tests/DataPrep.Tests/Codecs and their reference pixels.

Run from anywhere:  /usr/bin/python3 Tests/DataPrep.Tests/Fixtures/make_codec_fixtures.py
Needs Debian's python3-pil, python3-numpy and netpbm (pngtopam, bmptopnm, giftopnm, pnmtopng, ppmtobmp,
ppmtogif, pamdepth, pnmtoplainpnm). Output: Fixtures/{Png,Bmp,Gif,Pnm}/NAME.EXT plus NAME.ref.pam, the
pixels a reference decoder (libpng's pngtopam, Netpbm, or Pillow where Netpbm lacks the feature) produced,
rewritten in the decoder's output layout (8-bit samples; 1 = gray, 3 = RGB, 4 = RGBA) by the rules below:

  PNG  16-bit samples keep the high byte (libpng's png_set_strip_16); 1/2/4-bit gray is scaled by
       255 / (2^depth - 1) (exact bit replication); gray+alpha and gray with tRNS become RGBA; anything
       with tRNS gains an alpha channel. pngtopam -alphapam gives alpha; it is dropped (checked opaque)
       for images without transparency.
  BMP  always RGB, or RGBA when a bitfield alpha mask exists. Netpbm's bmptopnm where it can (it gives
       PBM/PGM for black-and-white/gray palettes: widened to RGB); Pillow for bitfields and alpha (bmptopnm
       ignores masks after a 40-byte header and all alpha); 5/6-bit fields are floor(v * 255 / max) in both.
       RLE with delta escapes (neither tool reads them right) uses the source pixels: the deltas skip only
       pixels of palette index 0, which the decoder leaves at index 0.
  GIF  RGB, or RGBA when the graphic control extension sets a transparent index (giftopnm -alphaout).
  PNM  pamdepth 255 (rounding (v * 255 + maxval / 2) / maxval); PBM 1 = black -> 0.

Every image is small (about 23x17) so the whole set stays well under 1 MB.
"""
import io
import os
import struct
import subprocess
import zlib

import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20240611)
W, H = 23, 17


# ----------------------------------------------------------------------------- helpers

def run(cmd, data=None):
    return subprocess.run(cmd, input=data, capture_output=True, check=True).stdout


def parse_netpbm(b):
    """Binary P4/P5/P6/P7 -> (uint32 array HxWxD, maxval). PBM is returned as gray 0/1 with maxval 1, 1 = white."""
    if b[:2] == b"P7":
        head, _, rest = b.partition(b"ENDHDR\n")
        fields = {}
        for line in head.decode().splitlines()[1:]:
            if line and not line.startswith("#"):
                k, _, v = line.partition(" ")
                fields[k] = v.strip()
        w, h, d, m = (int(fields[k]) for k in ("WIDTH", "HEIGHT", "DEPTH", "MAXVAL"))
        raster = rest
    else:
        kind = b[:2]
        tokens, pos = [], 2
        need = 2 if kind == b"P4" else 3
        while len(tokens) < need:
            while b[pos:pos + 1].isspace():
                pos += 1
            if b[pos:pos + 1] == b"#":
                while b[pos:pos + 1] not in (b"\n", b"\r"):
                    pos += 1
                continue
            start = pos
            while not b[pos:pos + 1].isspace():
                pos += 1
            tokens.append(int(b[start:pos]))
        pos += 1
        w, h = tokens[0], tokens[1]
        m = 1 if kind == b"P4" else tokens[2]
        d = 3 if kind == b"P6" else 1
        raster = b[pos:]
        if kind == b"P4":
            bits = np.unpackbits(np.frombuffer(raster, np.uint8)[: ((w + 7) // 8) * h].reshape(h, -1), axis=1)[:, :w]
            return (1 - bits).astype(np.uint32)[..., None], 1
    dtype = ">u2" if m > 255 else np.uint8
    a = np.frombuffer(raster, dtype)[: w * h * d].reshape(h, w, d).astype(np.uint32)
    return a, m


def to_layout(a, channels):
    """8-bit HxWxD -> HxWxchannels in the decoder's layout (gray widened, gray+alpha to RGBA, opaque alpha dropped)."""
    d = a.shape[2]
    if d == channels:
        return a
    if d == 2 and channels == 4:
        return np.dstack([a[..., 0], a[..., 0], a[..., 0], a[..., 1]])
    if d == 1 and channels in (3, 4):
        rgb = np.repeat(a, 3, axis=2)
        return rgb if channels == 3 else np.dstack([rgb, np.full(a.shape[:2], 255, a.dtype)])
    if d == 3 and channels == 4:
        return np.dstack([a, np.full(a.shape[:2], 255, a.dtype)])
    if d in (2, 4) and channels == d - 1:
        assert (a[..., -1] == 255).all(), "dropping an alpha channel that is not opaque"
        return a[..., :-1]
    raise ValueError(f"cannot lay out depth {d} as {channels} channels")


def write_pam(path, a):
    a = np.asarray(a, np.uint8)
    h, w, d = a.shape
    tupl = {1: "GRAYSCALE", 3: "RGB", 4: "RGB_ALPHA"}[d]
    with open(path, "wb") as f:
        f.write(f"P7\nWIDTH {w}\nHEIGHT {h}\nDEPTH {d}\nMAXVAL 255\nTUPLTYPE {tupl}\nENDHDR\n".encode())
        f.write(a.tobytes())


def content(h, w, c, levels, seed_shift=0.0):
    """Smooth gradients plus noise, quantised to `levels` values: exercises every filter's predictor."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    planes = []
    for k in range(c):
        phase = rng.uniform(0, 2 * np.pi)
        base = 0.5 + 0.35 * np.sin(xx / max(w, 1) * 3.1 + yy / max(h, 1) * 2.3 + phase + seed_shift)
        base += rng.normal(0, 0.08, (h, w))
        planes.append(np.clip(np.round(base * (levels - 1)), 0, levels - 1))
    return np.dstack(planes).astype(np.int64)


def save(folder, name, data):
    os.makedirs(os.path.join(ROOT, folder), exist_ok=True)
    path = os.path.join(ROOT, folder, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def ref_path(path):
    return os.path.splitext(path)[0] + ".ref.pam"


# ----------------------------------------------------------------------------- PNG (our own writer, from the specification)

ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def png_chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def pack_row(samples, depth):
    if depth == 8:
        return bytes(samples.astype(np.uint8))
    if depth == 16:
        return samples.astype(">u2").tobytes()
    bits = np.unpackbits(samples.astype(np.uint8)[:, None], axis=1)[:, 8 - depth:].reshape(-1)
    return bytes(np.packbits(bits))


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def filter_row(f, row, prior, bpp):
    out = bytearray(len(row))
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prior[i] if prior is not None else 0
        c = prior[i - bpp] if prior is not None and i >= bpp else 0
        pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][f]
        out[i] = (x - pred) & 0xFF
    return bytes(out)


def write_png(samples, color_type, depth, interlace=False, palette=None, trns=None, filters=None,
              idat_piece=None, empty_idat=False, ancillary=True):
    """samples: HxWxC ints at `depth`. filters: None = row-dependent mix of all five, or a fixed filter type."""
    h, w, c = samples.shape
    bpp = max(1, c * depth // 8)
    raw = bytearray()
    passes = ADAM7 if interlace else [(0, 0, 1, 1)]
    for p, (x0, y0, dx, dy) in enumerate(passes):
        sub = samples[y0::dy, x0::dx]
        if sub.shape[0] == 0 or sub.shape[1] == 0:
            continue
        prior = None
        for y in range(sub.shape[0]):
            row = pack_row(sub[y].reshape(-1), depth)
            f = (y + p) % 5 if filters is None else filters
            raw.append(f)
            raw += filter_row(f, row, prior, bpp)
            prior = row
    comp = zlib.compress(bytes(raw), 9)
    out = bytearray(b"\x89PNG\r\n\x1a\n")
    out += png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, 1 if interlace else 0))
    if ancillary:
        out += png_chunk(b"tEXt", b"Comment\x00codec fixture")
    if palette is not None:
        out += png_chunk(b"PLTE", bytes(np.asarray(palette, np.uint8).reshape(-1)))
    if trns is not None:
        out += png_chunk(b"tRNS", trns)
    piece = idat_piece or len(comp)
    for i in range(0, len(comp), piece):
        out += png_chunk(b"IDAT", comp[i:i + piece])
        if empty_idat and i == 0:
            out += png_chunk(b"IDAT", b"")
    if ancillary:
        out += png_chunk(b"prVt", b"private ancillary data")
    out += png_chunk(b"IEND", b"")
    return bytes(out)


def png_reference(path, channels, rgb_key=None):
    a, m = parse_netpbm(run(["pngtopam", "-alphapam", path]))
    if rgb_key is not None:
        # Netpbm 11.1's pngtopam ignores a truecolour tRNS key (alpha stays opaque), so the alpha channel is the
        # specification's rule applied to libpng's full-depth samples; Pillow must agree on 8-bit files.
        a[..., 3] = np.where((a[..., :3] == np.asarray(rgb_key)).all(axis=2), 0, m)
        if m == 255:
            assert (np.asarray(Image.open(path).convert("RGBA")) == a).all()
    if m == 65535:
        a = a >> 8
    elif m != 255:
        a = a * 255 // m
    write_pam(ref_path(path), to_layout(a, channels))


def png_fixtures():
    samples_per = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
    names = {0: "gray", 2: "rgb", 3: "pal", 4: "ga", 6: "rgba"}
    combos = [(0, d) for d in (1, 2, 4, 8, 16)] + [(2, 8), (2, 16)] + [(3, d) for d in (1, 2, 4, 8)] \
        + [(4, 8), (4, 16), (6, 8), (6, 16)]

    def make(ct, depth, interlace=False, with_trns=False, size=(W, H), **kw):
        w, h = size
        levels = 1 << depth
        palette = trns = rgb_key = None
        if ct == 3:
            n = min(levels, 200)
            palette = rng.integers(0, 256, (n, 3))
            samples = content(h, w, 1, n)
            if with_trns:
                trns = bytes(rng.integers(0, 256, max(1, n // 2)).astype(np.uint8))
        else:
            samples = content(h, w, samples_per[ct], levels)
            if with_trns and ct == 0:
                key = int(samples[h // 2, w // 2, 0])
                samples[::3, ::2, 0] = key
                if depth == 16:
                    samples[1::3, ::2, 0] = key ^ 1  # same high byte, different low byte: must stay opaque
                trns = struct.pack(">H", key)
            if with_trns and ct == 2:
                key = samples[h // 2, w // 2].copy()
                samples[::3, ::2] = key
                if depth == 16:
                    samples[1::3, ::2] = key ^ np.array([0, 1, 0])
                trns = struct.pack(">HHH", *[int(k) for k in key])
                rgb_key = [int(k) for k in key]
        data = write_png(samples, ct, depth, interlace, palette, trns, **kw)
        channels = 4 if ct in (4, 6) or trns is not None else (1 if ct == 0 else 3)
        return data, channels, rgb_key

    def emit(name, made):
        data, channels, *key = made
        png_reference(save("Png", name + ".png", data), channels, key[0] if key else None)

    for ct, depth in combos:
        for il in (False, True):
            emit(f"{names[ct]}{depth}{'_adam7' if il else ''}", make(ct, depth, il, idat_piece=int(rng.integers(20, 200))))
    for ct, depth in [(0, 1), (0, 2), (0, 4), (0, 8), (0, 16), (2, 8), (2, 16), (3, 1), (3, 4), (3, 8)]:
        emit(f"{names[ct]}{depth}_trns", make(ct, depth, with_trns=True))
    for ct, depth in [(0, 16), (2, 8), (3, 4)]:
        emit(f"{names[ct]}{depth}_trns_adam7", make(ct, depth, True, with_trns=True))
    for f in range(5):
        emit(f"rgb8_filter{f}", make(2, 8, filters=f))
        emit(f"gray2_filter{f}", make(0, 2, filters=f))
        emit(f"rgba16_filter{f}", make(6, 16, filters=f))
    emit("rgb8_many_idat", make(2, 8, idat_piece=7, empty_idat=True))
    emit("rgb8_bare", make(2, 8, ancillary=False))
    for w, h in [(1, 1), (2, 9), (9, 2), (8, 8)]:
        emit(f"rgba8_adam7_{w}x{h}", make(6, 8, True, size=(w, h)))
        emit(f"gray1_adam7_{w}x{h}", make(0, 1, True, size=(w, h)))

    # Files from real encoders: Pillow and Netpbm's pnmtopng.
    photo = np.clip(content(48, 64, 3, 256) + rng.normal(0, 4, (48, 64, 3)), 0, 255).astype(np.uint8)
    alpha = content(48, 64, 1, 256)[..., 0].astype(np.uint8)
    pil = {
        "pil_rgb": (Image.fromarray(photo, "RGB"), 3),
        "pil_rgba": (Image.fromarray(np.dstack([photo, alpha]), "RGBA"), 4),
        "pil_l": (Image.fromarray(photo[..., 0], "L"), 1),
        "pil_la": (Image.fromarray(np.dstack([photo[..., 0], alpha]), "LA"), 4),
        "pil_1": (Image.fromarray(photo[..., 0] > 127).convert("1"), 1),
        "pil_i16": (Image.fromarray((content(48, 64, 1, 65536)[..., 0]).astype(np.uint16), "I;16"), 1),
        "pil_p": (Image.fromarray(photo, "RGB").quantize(64), 3),
    }
    for name, (im, channels) in pil.items():
        b = io.BytesIO()
        im.save(b, "PNG")
        emit(name, (b.getvalue(), channels))
    b = io.BytesIO()
    Image.fromarray(photo, "RGB").quantize(16).save(b, "PNG", transparency=3)
    emit("pil_p_trns", (b.getvalue(), 4))

    ppm16 = content(H, W, 3, 65536)
    pgm16 = content(H, W, 1, 65536)
    tmp_ppm = save("Png", "tmp.ppm", f"P6\n{W} {H}\n65535\n".encode() + ppm16.astype(">u2").tobytes())
    tmp_pgm = save("Png", "tmp.pgm", f"P5\n{W} {H}\n65535\n".encode() + pgm16.astype(">u2").tobytes())
    emit("pnmtopng_rgba16", (run(["pnmtopng", "-alpha", tmp_pgm, tmp_ppm]), 4))
    few = (content(H, W, 3, 4) * 85).astype(np.uint8)
    tmp_few = save("Png", "tmp8.ppm", f"P6\n{W} {H}\n255\n".encode() + few.tobytes())
    emit("pnmtopng_palette_adam7", (run(["pnmtopng", "-interlace", tmp_few]), 3))
    c = few[0, 0]
    emit("pnmtopng_transparent", (run(["pnmtopng", "-transparent", f"rgb:{c[0]:02x}/{c[1]:02x}/{c[2]:02x}", tmp_few]), 4))
    for p in (tmp_ppm, tmp_pgm, tmp_few):
        os.remove(p)


# ----------------------------------------------------------------------------- BMP (our own writer, Pillow, ppmtobmp)

def bmp_file(dib, extra, rows, top_down=False):
    """rows: list of raw row bytes in display order (top first); padded to 4 bytes here."""
    raster = bytearray()
    order = rows if top_down else rows[::-1]
    for r in order:
        raster += r + b"\x00" * (-len(r) % 4)
    off = 14 + len(dib) + len(extra)
    return b"BM" + struct.pack("<IHHI", off + len(raster), 0, 0, off) + dib + extra + bytes(raster)


def info_header(size, w, h, bpp, compression, colors=0, masks=None):
    base = struct.pack("<IiiHHIIiiII", size, w, h, 1, bpp, compression, 0, 2835, 2835, colors, 0)
    if size == 40:
        return base
    m = list(masks or (0, 0, 0, 0)) + [0] * 4
    tail = struct.pack("<IIII", *m[:4])[: size - 40] if size <= 56 else struct.pack("<IIII", *m[:4])
    if size > 56:
        tail += struct.pack("<I", 0x73524742) + b"\x00" * (size - 56 - 4)  # LCS_sRGB, then zeros
    return base + tail


def rle8_encode(idx, with_delta):
    out = bytearray()
    h, w = idx.shape
    for y in range(h - 1, -1, -1):  # bottom-up
        row = [int(v) for v in idx[y]]
        x = 0
        while x < w:
            if with_delta and row[x] == 0:
                run_len = 1
                while x + run_len < w and row[x + run_len] == 0:
                    run_len += 1
                if run_len >= 3:
                    out += bytes([0, 2, run_len, 0])
                    x += run_len
                    continue
            run_len = 1
            while x + run_len < w and run_len < 255 and row[x + run_len] == row[x]:
                run_len += 1
            if run_len >= 2:
                out += bytes([run_len, row[x]])
                x += run_len
                continue
            end = x
            while end < w and end - x < 255 and (end + 1 >= w or row[end + 1] != row[end]):
                end += 1
            n = end - x
            if n >= 3:
                out += bytes([0, n]) + bytes(row[x:end]) + (b"\x00" if n % 2 else b"")
                x = end
            else:
                out += bytes([1, row[x]])
                x += 1
        out += bytes([0, 0])
    out[-2:] = bytes([0, 1])
    return bytes(out)


def rle4_encode(idx):
    out = bytearray()
    h, w = idx.shape
    for y in range(h - 1, -1, -1):
        row = [int(v) for v in idx[y]]
        x = 0
        while x < w:
            # a run of alternating pair (a, b)
            a = row[x]
            b = row[x + 1] if x + 1 < w else 0
            n = 1
            while x + n < w and n < 255 and row[x + n] == (a if n % 2 == 0 else b):
                n += 1
            if n >= 4 or x + n >= w:
                out += bytes([n, (a << 4) | b])
                x += n
                continue
            n = min(w - x, int(rng.integers(3, 8)))
            vals = row[x:x + n] + [0]
            packed = bytes((vals[i] << 4) | (vals[i + 1] if i + 1 < n else 0) for i in range(0, n, 2))
            out += bytes([0, n]) + packed + (b"\x00" if len(packed) % 2 else b"")
            x += n
        out += bytes([0, 0])
    out[-2:] = bytes([0, 1])
    return bytes(out)


def bmp_ref_netpbm(path, channels):
    a, m = parse_netpbm(run(["bmptopnm", path]))
    a = a * 255 // m
    write_pam(ref_path(path), to_layout(a, channels))


def bmp_ref_pil(path, channels):
    im = Image.open(path)
    im = im.convert("RGBA" if channels == 4 else "RGB")
    write_pam(ref_path(path), np.asarray(im))


def bmp_fixtures():
    rgb = content(H, W, 3, 256).astype(np.uint8)
    bgr_rows = [bytes(rgb[y, :, ::-1].reshape(-1)) for y in range(H)]

    def palettized(bits):
        n = 1 << bits
        pal = rng.integers(0, 256, (n, 3)).astype(np.uint8)
        idx = content(H, W, 1, n)[..., 0].astype(np.uint8)
        return pal, idx

    def pal_bytes(pal):
        return b"".join(bytes([b, g, r, 0]) for r, g, b in pal)

    for bits in (1, 4, 8):
        pal, idx = palettized(bits)
        rows = []
        for y in range(H):
            bitsrow = np.unpackbits(idx[y][:, None], axis=1)[:, 8 - bits:].reshape(-1)
            rows.append(bytes(np.packbits(bitsrow)))
        p = save("Bmp", f"pal{bits}.bmp", bmp_file(info_header(40, W, H, bits, 0, len(pal)), pal_bytes(pal), rows))
        bmp_ref_netpbm(p, 3)
        if bits == 8:
            p = save("Bmp", "pal8_topdown.bmp", bmp_file(info_header(40, W, -H, 8, 0, len(pal)), pal_bytes(pal), rows, True))
            bmp_ref_netpbm(p, 3)
            # RLE8 without and with delta escapes.
            rle = rle8_encode(idx, with_delta=False)
            p = save("Bmp", "rle8.bmp", b"BM" + struct.pack("<IHHI", 54 + 1024 + len(rle), 0, 0, 54 + 1024)
                     + info_header(40, W, H, 8, 1, 256) + pal_bytes(pal) + rle)
            bmp_ref_netpbm(p, 3)
            holes = idx.copy()
            holes[2:5, 3:15] = 0
            holes[9, :] = 0
            rle = rle8_encode(holes, with_delta=True)
            assert b"\x00\x02" in rle
            p = save("Bmp", "rle8_delta.bmp", b"BM" + struct.pack("<IHHI", 54 + 1024 + len(rle), 0, 0, 54 + 1024)
                     + info_header(40, W, H, 8, 1, 256) + pal_bytes(pal) + rle)
            write_pam(ref_path(p), pal[holes])
        if bits == 4:
            rle = rle4_encode(idx)
            p = save("Bmp", "rle4.bmp", b"BM" + struct.pack("<IHHI", 54 + 64 + len(rle), 0, 0, 54 + 64)
                     + info_header(40, W, H, 4, 2, 16) + pal_bytes(pal) + rle)
            bmp_ref_netpbm(p, 3)

    p = save("Bmp", "rgb24.bmp", bmp_file(info_header(40, W, H, 24, 0), b"", bgr_rows))
    bmp_ref_netpbm(p, 3)
    p = save("Bmp", "rgb24_topdown.bmp", bmp_file(info_header(40, W, -H, 24, 0), b"", bgr_rows, True))
    bmp_ref_netpbm(p, 3)

    # 16-bit 5-5-5 (BI_RGB) and 5-6-5 (BI_BITFIELDS after a 40-byte header).
    v555 = content(H, W, 3, 32)
    px = (v555[..., 0] << 10) | (v555[..., 1] << 5) | v555[..., 2]
    rows = [px[y].astype("<u2").tobytes() for y in range(H)]
    p = save("Bmp", "rgb555.bmp", bmp_file(info_header(40, W, H, 16, 0), b"", rows))
    bmp_ref_netpbm(p, 3)
    r5, g6, b5 = content(H, W, 1, 32)[..., 0], content(H, W, 1, 64)[..., 0], content(H, W, 1, 32)[..., 0]
    px = (r5 << 11) | (g6 << 5) | b5
    rows = [px[y].astype("<u2").tobytes() for y in range(H)]
    p = save("Bmp", "rgb565.bmp", bmp_file(info_header(40, W, H, 16, 3), struct.pack("<III", 0xF800, 0x07E0, 0x001F), rows))
    bmp_ref_pil(p, 3)

    # 32-bit: BI_RGB (fourth byte reserved: filled with noise, must be ignored), BITFIELDS with alpha in V3/V4/V5 headers.
    a = content(H, W, 1, 256).astype(np.uint8)
    bgra = np.dstack([rgb[..., ::-1], a])
    rows = [bytes(bgra[y].reshape(-1)) for y in range(H)]
    p = save("Bmp", "rgb32.bmp", bmp_file(info_header(40, W, H, 32, 0), b"", rows))
    bmp_ref_netpbm(p, 3)
    masks = (0x00FF0000, 0x0000FF00, 0x000000FF, 0xFF000000)
    for size in (56, 108, 124):
        p = save("Bmp", f"rgba32_v{size}.bmp", bmp_file(info_header(size, W, H, 32, 3, masks=masks), b"", rows))
        if size == 56:  # Pillow 9.4 rejects the 56-byte (V3) header; 8-bit fields are the stored bytes
            write_pam(ref_path(p), np.dstack([rgb, a]))
        else:
            bmp_ref_pil(p, 4)
            assert (np.asarray(Image.open(p).convert("RGBA")) == np.dstack([rgb, a])).all()
    p = save("Bmp", "rgb32_bitfields.bmp", bmp_file(info_header(40, W, H, 32, 3), struct.pack("<III", *masks[:3]), rows))
    bmp_ref_pil(p, 3)
    # 10-10-10 fields: neither tool reads them; the reference is floor(v * 255 / 1023) of the stored fields.
    v10 = content(H, W, 3, 1024)
    px = (v10[..., 0] << 20) | (v10[..., 1] << 10) | v10[..., 2]
    rows = [px[y].astype("<u4").tobytes() for y in range(H)]
    p = save("Bmp", "rgb101010.bmp", bmp_file(info_header(40, W, H, 32, 3), struct.pack("<III", 0x3FF00000, 0xFFC00, 0x3FF), rows))
    write_pam(ref_path(p), (v10 * 255 // 1023).astype(np.uint8))

    # Files from real encoders: Netpbm's ppmtobmp (Windows and OS/2 core headers) and Pillow.
    ppm = f"P6\n{W} {H}\n255\n".encode() + rgb.tobytes()
    few = f"P6\n{W} {H}\n255\n".encode() + (content(H, W, 3, 2) * 255).astype(np.uint8).tobytes()
    for name, args, src in [("ppmtobmp_24", ["-windows"], ppm), ("ppmtobmp_os2_24", ["-os2"], ppm),
                            ("ppmtobmp_8", ["-windows", "-bpp", "8"], few), ("ppmtobmp_os2_8", ["-os2", "-bpp", "8"], few),
                            ("ppmtobmp_4", ["-windows", "-bpp", "4"], few)]:
        data = run(["ppmtobmp"] + args, src)
        bmp_ref_netpbm(save("Bmp", name + ".bmp", data), 3)
    for name, im in [("pil_rgb", Image.fromarray(rgb, "RGB")), ("pil_l", Image.fromarray(rgb[..., 0], "L")),
                     ("pil_1", Image.fromarray(rgb[..., 0] > 127).convert("1")),
                     ("pil_p", Image.fromarray(rgb, "RGB").quantize(32))]:
        b = io.BytesIO()
        im.save(b, "BMP")
        bmp_ref_netpbm(save("Bmp", name + ".bmp", b.getvalue()), 3)


# ----------------------------------------------------------------------------- GIF (our own LZW writer, Pillow, ppmtogif)

def lzw_encode(indices, min_code, clear_when_full):
    clear, end = 1 << min_code, (1 << min_code) + 1
    out, acc, nbits = bytearray(), 0, 0
    size = min_code + 1

    def emit(code):
        nonlocal acc, nbits
        acc |= code << nbits
        nbits += size
        while nbits >= 8:
            out.append(acc & 0xFF)
            acc >>= 8
            nbits -= 8

    table = {(i,): i for i in range(clear)}
    nxt = end + 1
    emit(clear)
    cur = ()
    for v in indices:
        cand = cur + (int(v),)
        if cand in table:
            cur = cand
            continue
        emit(table[cur])
        if nxt < 4096:
            table[cand] = nxt
            nxt += 1
            if nxt > (1 << size) and size < 12:
                size += 1
        elif clear_when_full:
            emit(clear)
            table = {(i,): i for i in range(clear)}
            nxt, size = end + 1, min_code + 1
        cur = (int(v),)
    emit(table[cur])
    emit(end)
    if nbits:
        out.append(acc & 0xFF)
    return bytes(out)


def gif_file(w, h, idx, global_pal=None, local_pal=None, transparent=None, interlace=False, min_code=None,
             clear_when_full=True, screen=None, offset=(0, 0)):
    def table_bits(pal):
        return max(1, int(np.ceil(np.log2(len(pal))))) - 1

    sw, sh = screen or (w, h)
    out = bytearray(b"GIF89a" + struct.pack("<HH", sw, sh))
    if global_pal is not None:
        out += bytes([0x80 | 0x70 | table_bits(global_pal), 0, 0]) + bytes(global_pal.reshape(-1))
    else:
        out += bytes([0, 0, 0])
    out += b"\x21\xfe\x07fixture\x00"  # a comment extension to skip
    if transparent is not None:
        out += bytes([0x21, 0xF9, 4, 0x01, 0, 0, transparent, 0])
    flags = (0x40 if interlace else 0)
    if local_pal is not None:
        flags |= 0x80 | table_bits(local_pal)
    out += b"\x2c" + struct.pack("<HHHH", offset[0], offset[1], w, h) + bytes([flags])
    if local_pal is not None:
        out += bytes(local_pal.reshape(-1))
    rows = list(range(h))
    if interlace:
        rows = list(range(0, h, 8)) + list(range(4, h, 8)) + list(range(2, h, 4)) + list(range(1, h, 2))
    stream = idx[rows].reshape(-1)
    pal = local_pal if local_pal is not None else global_pal
    mc = min_code or max(2, table_bits(pal) + 1)
    data = lzw_encode(stream, mc, clear_when_full)
    out.append(mc)
    for i in range(0, len(data), 255):
        piece = data[i:i + 255]
        out += bytes([len(piece)]) + piece
    out += b"\x00\x3b"
    return bytes(out)


def gif_reference(path, channels):
    a, m = parse_netpbm(run(["giftopnm", path]))
    a = to_layout(a * 255 // m, 3)
    if channels == 4:
        alpha, am = parse_netpbm(run(["giftopnm", "-alphaout=-", path]))
        a = np.dstack([a, alpha[..., 0] * 255 // am])
    write_pam(ref_path(path), a)


def gif_fixtures():
    pal = rng.integers(0, 256, (256, 3)).astype(np.uint8)
    idx = content(H, W, 1, 256)[..., 0].astype(np.uint8)
    emit = lambda name, data, ch: gif_reference(save("Gif", name + ".gif", data), ch)  # noqa: E731
    emit("global", gif_file(W, H, idx, global_pal=pal), 3)
    emit("local", gif_file(W, H, idx, local_pal=pal), 3)
    emit("interlaced", gif_file(W, H, idx, global_pal=pal, interlace=True), 3)
    emit("offset_frame", gif_file(W, H, idx, global_pal=pal, screen=(W + 10, H + 5), offset=(4, 3)), 3)
    emit("transparent", gif_file(W, H, idx, global_pal=pal, transparent=int(idx[5, 5])), 4)
    small = (content(H, W, 1, 4)[..., 0]).astype(np.uint8)
    emit("twocolour_bits", gif_file(W, H, small & 1, global_pal=pal[:2]), 3)
    emit("fourcolour", gif_file(W, H, small, global_pal=pal[:4]), 3)
    emit("odd_table", gif_file(W, H, small, global_pal=pal[:4], local_pal=pal[100:108]), 3)
    big = rng.integers(0, 256, (64, 96)).astype(np.uint8)  # noise fills the 4,096-entry table
    emit("full_table_clear", gif_file(96, 64, big, global_pal=pal, clear_when_full=True), 3)
    emit("full_table_deferred", gif_file(96, 64, big, global_pal=pal, clear_when_full=False), 3)
    emit("interlaced_tall", gif_file(5, 37, rng.integers(0, 16, (37, 5)).astype(np.uint8), global_pal=pal[:16], interlace=True), 3)

    rgb = (content(H, W, 3, 6) * 51).astype(np.uint8)
    ppm = f"P6\n{W} {H}\n255\n".encode() + rgb.tobytes()
    c = rgb[0, 0]
    for name, args, ch in [("ppmtogif", [], 3), ("ppmtogif_interlace", ["-interlace"], 3),
                           ("ppmtogif_transparent", ["-transparent", f"rgb:{c[0]:02x}/{c[1]:02x}/{c[2]:02x}"], 4)]:
        emit(name, run(["ppmtogif"] + args, ppm), ch)
    frames = [Image.fromarray(rgb, "RGB").quantize(64), Image.fromarray(255 - rgb, "RGB").quantize(64)]
    b = io.BytesIO()
    frames[0].save(b, "GIF", save_all=True, append_images=frames[1:])
    emit("pil_two_frames", b.getvalue(), 3)
    b = io.BytesIO()
    Image.fromarray(rgb[..., 0], "L").save(b, "GIF")
    emit("pil_l", b.getvalue(), 3)
    b = io.BytesIO()
    Image.fromarray(rgb, "RGB").quantize(32).save(b, "GIF", transparency=2)
    emit("pil_transparent", b.getvalue(), 4)


# ----------------------------------------------------------------------------- Netpbm

def pnm_fixtures():
    rgb = content(H, W, 3, 256).astype(np.uint8)
    gray = rgb[..., 0]
    ppm = f"P6\n{W} {H}\n255\n".encode() + rgb.tobytes()
    pgm = f"P5\n{W} {H}\n255\n".encode() + gray.tobytes()
    pbm = run(["pgmtopbm", "-threshold"], pgm)

    def emit(name, data, channels):
        path = save("Pnm", name, data)
        a, m = parse_netpbm(run(["pamdepth", "255", path]))
        write_pam(ref_path(path), to_layout(a, channels))

    emit("rgb.ppm", ppm, 3)
    emit("gray.pgm", pgm, 1)
    emit("bits.pbm", pbm, 1)
    emit("rgb_plain.ppm", run(["pnmtoplainpnm"], ppm), 3)
    emit("gray_plain.pgm", run(["pnmtoplainpnm"], pgm), 1)
    emit("bits_plain.pbm", run(["pnmtoplainpnm"], pbm), 1)
    for maxval in (1, 15, 1000, 65535):
        emit(f"rgb_max{maxval}.ppm", run(["pamdepth", str(maxval)], ppm), 3)
        emit(f"gray_max{maxval}.pgm", run(["pamdepth", str(maxval)], pgm), 1)
    emit("rgb_max1000_plain.ppm", run(["pnmtoplainpnm"], run(["pamdepth", "1000"], ppm)), 3)
    # Comments anywhere whitespace may appear in the header, and a plain raster with comments.
    commented = f"P6\n# made by a test\n{W} # width\n#another\n{H}\n255\n".encode() + rgb.tobytes()
    emit("rgb_comments.ppm", commented, 3)
    plain = run(["pnmtoplainpnm"], pgm).split(b"\n")
    emit("gray_plain_comments.pgm", b"\n".join(plain[:3] + [b"# inside the raster"] + plain[3:]), 1)
    # PAM: RGB_ALPHA and GRAYSCALE_ALPHA (widened to RGBA).
    a = content(H, W, 1, 256).astype(np.uint8)
    emit("rgba.pam", f"P7\nWIDTH {W}\nHEIGHT {H}\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\nENDHDR\n".encode()
         + np.dstack([rgb, a]).tobytes(), 4)
    emit("graya.pam", f"P7\n# comment\nWIDTH {W}\nHEIGHT {H}\nDEPTH 2\nMAXVAL 255\nTUPLTYPE GRAYSCALE_ALPHA\nENDHDR\n".encode()
         + np.dstack([gray, a]).tobytes(), 4)


if __name__ == "__main__":
    png_fixtures()
    bmp_fixtures()
    gif_fixtures()
    pnm_fixtures()
    total = sum(os.path.getsize(os.path.join(d, f)) for folder in ("Png", "Bmp", "Gif", "Pnm")
                for d, _, fs in os.walk(os.path.join(ROOT, folder)) for f in fs)
    print(f"codec fixtures written: {total / 1024:.0f} KiB")
