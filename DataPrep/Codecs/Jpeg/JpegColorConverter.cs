using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MlPipelines.DataPrep.Codecs.Jpeg;

/// <summary>
/// Colour conversion of one row to interleaved RGB with libjpeg's fixed-point arithmetic (16 fraction bits, rounding
/// as in jdcolor.c), so results equal djpeg's: JFIF YCbCr (Vector512, Vector256 and scalar paths), Adobe RGB,
/// Adobe CMYK and YCCK (stored inverted; converted to RGB as djpeg's PPM writer does: R = C x K / 255, rounded).
/// </summary>
internal static unsafe class JpegColorConverter
{
    // FIX(x) = round(x * 2^16) of the JFIF conversion factors.
    internal const int CrToR = 91881;   // 1.40200
    internal const int CbToB = 116130;  // 1.77200
    internal const int CbToG = 22554;   // 0.34414
    internal const int CrToG = 46802;   // 0.71414
    internal const int Half = 1 << 15;

    private static readonly Vector128<byte>[] InterleaveMasks = BuildInterleaveMasks();

    /// <summary>Whether the Vector512 path runs here.</summary>
    public static bool Vector512Path => Avx512F.IsSupported && Vector512.IsHardwareAccelerated;

    /// <summary>Whether the Vector256 path runs here.</summary>
    public static bool Vector256Path => Avx2.IsSupported && Vector256.IsHardwareAccelerated;

    /// <summary>Converts <paramref name="width"/> YCbCr samples to RGB triples in <paramref name="rgb"/>.</summary>
    public static void YCbCrToRgb(ReadOnlySpan<byte> y, ReadOnlySpan<byte> cb, ReadOnlySpan<byte> cr, Span<byte> rgb, int width)
    {
        Check(y, cb, cr, rgb, width);
        fixed (byte* py = y)
        fixed (byte* pb = cb)
        fixed (byte* pr = cr)
        fixed (byte* po = rgb)
        {
            int i = 0;
            if (Vector512Path)
            {
                Vector512<int> zero = Vector512<int>.Zero;
                for (; i + 16 <= width; i += 16)
                {
                    Vector512<int> yy = Avx512F.ConvertToVector512Int32(Vector128.Load(py + i));
                    Vector512<int> b = Avx512F.ConvertToVector512Int32(Vector128.Load(pb + i)) - Vector512.Create(128);
                    Vector512<int> r = Avx512F.ConvertToVector512Int32(Vector128.Load(pr + i)) - Vector512.Create(128);
                    Vector512<int> half = Vector512.Create(Half);
                    Vector512<int> red = yy + (((r * CrToR) + half) >> 16);
                    Vector512<int> green = yy + (((b * -CbToG) + (r * -CrToG) + half) >> 16);
                    Vector512<int> blue = yy + (((b * CbToB) + half) >> 16);
                    Interleave(
                        Avx512F.ConvertToVector128ByteWithSaturation(Vector512.Max(red, zero).AsUInt32()),
                        Avx512F.ConvertToVector128ByteWithSaturation(Vector512.Max(green, zero).AsUInt32()),
                        Avx512F.ConvertToVector128ByteWithSaturation(Vector512.Max(blue, zero).AsUInt32()),
                        po + (3 * i));
                }
            }

            if (Vector256Path)
            {
                for (; i + 16 <= width; i += 16)
                {
                    Vector256<int> half = Vector256.Create(Half);
                    Vector256<int> c128 = Vector256.Create(128);
                    Vector256<int> y0 = Avx2.ConvertToVector256Int32(py + i), y1 = Avx2.ConvertToVector256Int32(py + i + 8);
                    Vector256<int> b0 = Avx2.ConvertToVector256Int32(pb + i) - c128, b1 = Avx2.ConvertToVector256Int32(pb + i + 8) - c128;
                    Vector256<int> r0 = Avx2.ConvertToVector256Int32(pr + i) - c128, r1 = Avx2.ConvertToVector256Int32(pr + i + 8) - c128;
                    Vector128<byte> red = PackBytes(y0 + (((r0 * CrToR) + half) >> 16), y1 + (((r1 * CrToR) + half) >> 16));
                    Vector128<byte> green = PackBytes(
                        y0 + (((b0 * -CbToG) + (r0 * -CrToG) + half) >> 16),
                        y1 + (((b1 * -CbToG) + (r1 * -CrToG) + half) >> 16));
                    Vector128<byte> blue = PackBytes(y0 + (((b0 * CbToB) + half) >> 16), y1 + (((b1 * CbToB) + half) >> 16));
                    Interleave(red, green, blue, po + (3 * i));
                }
            }

            for (; i < width; i++) YccPixel(py[i], pb[i], pr[i], po + (3 * i));
        }
    }

    /// <summary>Reference twin of <see cref="YCbCrToRgb"/>: scalar, one pixel at a time.</summary>
    public static void YCbCrToRgbReference(ReadOnlySpan<byte> y, ReadOnlySpan<byte> cb, ReadOnlySpan<byte> cr, Span<byte> rgb, int width)
    {
        Check(y, cb, cr, rgb, width);
        fixed (byte* po = rgb)
            for (int i = 0; i < width; i++) YccPixel(y[i], cb[i], cr[i], po + (3 * i));
    }

    /// <summary>Interleaves three planes of an RGB-coded (Adobe transform 0) image.</summary>
    public static void InterleaveRgb(ReadOnlySpan<byte> r, ReadOnlySpan<byte> g, ReadOnlySpan<byte> b, Span<byte> rgb, int width)
    {
        Check(r, g, b, rgb, width);
        for (int i = 0; i < width; i++)
        {
            rgb[3 * i] = r[i];
            rgb[(3 * i) + 1] = g[i];
            rgb[(3 * i) + 2] = b[i];
        }
    }

    /// <summary>Adobe CMYK (stored inverted: 255 = no ink) to RGB: R = C x K / 255 rounded, likewise G from M and B from Y.</summary>
    public static void CmykToRgb(ReadOnlySpan<byte> c, ReadOnlySpan<byte> m, ReadOnlySpan<byte> y, ReadOnlySpan<byte> k, Span<byte> rgb, int width)
    {
        Check(c, m, y, rgb, width);
        if (k.Length < width) throw new ArgumentException("Colour conversion buffers do not match the row width.");
        for (int i = 0; i < width; i++)
        {
            int kk = k[i];
            rgb[3 * i] = Scale(c[i], kk);
            rgb[(3 * i) + 1] = Scale(m[i], kk);
            rgb[(3 * i) + 2] = Scale(y[i], kk);
        }
    }

    /// <summary>Adobe YCCK to RGB: YCbCr to inverted CMY as libjpeg does (255 - R, ...), then <see cref="CmykToRgb"/>.</summary>
    public static void YcckToRgb(ReadOnlySpan<byte> y, ReadOnlySpan<byte> cb, ReadOnlySpan<byte> cr, ReadOnlySpan<byte> k, Span<byte> rgb, int width)
    {
        Check(y, cb, cr, rgb, width);
        if (k.Length < width) throw new ArgumentException("Colour conversion buffers do not match the row width.");
        Span<byte> pixel = stackalloc byte[3];
        for (int i = 0; i < width; i++)
        {
            fixed (byte* p = pixel) YccPixel(y[i], cb[i], cr[i], p);
            int kk = k[i];
            rgb[3 * i] = Scale(255 - pixel[0], kk);
            rgb[(3 * i) + 1] = Scale(255 - pixel[1], kk);
            rgb[(3 * i) + 2] = Scale(255 - pixel[2], kk);
        }
    }

    // round(a * k / 255) for a, k in 0..255 (never a tie, so integer arithmetic is exact).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Scale(int a, int k) => (byte)(((2 * a * k) + 255) / 510);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void YccPixel(int y, int cb, int cr, byte* rgb)
    {
        cb -= 128;
        cr -= 128;
        rgb[0] = Clamp(y + (((cr * CrToR) + Half) >> 16));
        rgb[1] = Clamp(y + (((cb * -CbToG) + (cr * -CrToG) + Half) >> 16));
        rgb[2] = Clamp(y + (((cb * CbToB) + Half) >> 16));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Clamp(int v) => (byte)Math.Clamp(v, 0, 255);

    // Two vectors of 8 ints to 16 bytes in order, saturating to 0..255.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> PackBytes(Vector256<int> a, Vector256<int> b)
    {
        Vector256<short> s = Avx2.Permute4x64(Avx2.PackSignedSaturate(a, b).AsInt64(), 0b_11_01_10_00).AsInt16();
        return Sse2.PackUnsignedSaturate(s.GetLower(), s.GetUpper());
    }

    // 16 R, G and B samples to 48 bytes R0 G0 B0 R1 ...
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Interleave(Vector128<byte> r, Vector128<byte> g, Vector128<byte> b, byte* dst)
    {
        Vector128<byte>[] m = InterleaveMasks;
        (Ssse3.Shuffle(r, m[0]) | Ssse3.Shuffle(g, m[1]) | Ssse3.Shuffle(b, m[2])).Store(dst);
        (Ssse3.Shuffle(r, m[3]) | Ssse3.Shuffle(g, m[4]) | Ssse3.Shuffle(b, m[5])).Store(dst + 16);
        (Ssse3.Shuffle(r, m[6]) | Ssse3.Shuffle(g, m[7]) | Ssse3.Shuffle(b, m[8])).Store(dst + 32);
    }

    // Mask [3 * chunk + channel]: byte j of output chunk takes sample (16 chunk + j) / 3 of that channel, or zero (0x80).
    private static Vector128<byte>[] BuildInterleaveMasks()
    {
        var masks = new Vector128<byte>[9];
        Span<byte> bytes = stackalloc byte[16];
        for (int chunk = 0; chunk < 3; chunk++)
        {
            for (int channel = 0; channel < 3; channel++)
            {
                for (int j = 0; j < 16; j++)
                {
                    int g = (16 * chunk) + j;
                    bytes[j] = g % 3 == channel ? (byte)(g / 3) : (byte)0x80;
                }

                masks[(3 * chunk) + channel] = Vector128.Create((ReadOnlySpan<byte>)bytes);
            }
        }

        return masks;
    }

    private static void Check(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, Span<byte> rgb, int width)
    {
        if (width < 0 || a.Length < width || b.Length < width || c.Length < width || rgb.Length < 3L * width)
            throw new ArgumentException("Colour conversion buffers do not match the row width.");
    }
}
