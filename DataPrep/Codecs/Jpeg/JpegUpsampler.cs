using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MlPipelines.DataPrep.Codecs.Jpeg;

/// <summary>
/// Chroma upsampling of one output row, as libjpeg's default ("fancy") upsampling computes it: a triangle filter
/// (3/4 nearest, 1/4 next nearest) for 2:1 horizontal, vertical or both, with libjpeg's alternating rounding, and
/// plain replication for other integral factors and for rows of at most two samples. Each kernel has a Vector512,
/// a Vector256 and a scalar path; the scalar path is the reference twin.
/// </summary>
internal static unsafe class JpegUpsampler
{
    /// <summary>Whether the Vector512 paths run here.</summary>
    public static bool Vector512Path => Avx512BW.IsSupported && Vector512.IsHardwareAccelerated;

    /// <summary>Whether the Vector256 paths run here.</summary>
    public static bool Vector256Path => Avx2.IsSupported && Vector256.IsHardwareAccelerated;

    /// <summary>
    /// 2:1 horizontal and vertical: <paramref name="near"/> is the input row nearest the output row, <paramref name="far"/>
    /// the next nearest (above for the upper output row of a pair, below for the lower). Writes 2 x width samples.
    /// </summary>
    public static void H2V2(ReadOnlySpan<byte> near, ReadOnlySpan<byte> far, int width, Span<byte> output)
    {
        Check(near, far, width, output, 2 * width);
        if (width <= 2)
        {
            Replicate(near, width, 2, output); // libjpeg uses the box filter for such narrow rows
            return;
        }

        fixed (byte* n = near)
        fixed (byte* f = far)
        fixed (byte* o = output)
        {
            int i = 1;
            if (Vector512Path)
            {
                for (; i + 33 <= width; i += 32)
                {
                    Vector512<short> cm = ColumnSum512(n + i - 1, f + i - 1);
                    Vector512<short> c0 = ColumnSum512(n + i, f + i);
                    Vector512<short> cp = ColumnSum512(n + i + 1, f + i + 1);
                    Vector512<short> c3 = c0 * 3;
                    Vector512<short> even = Vector512.ShiftRightLogical(c3 + cm + Vector512.Create((short)8), 4);
                    Vector512<short> odd = Vector512.ShiftRightLogical(c3 + cp + Vector512.Create((short)7), 4);
                    (even | (odd << 8)).AsByte().Store(o + (2 * i));
                }
            }

            if (Vector256Path)
            {
                for (; i + 17 <= width; i += 16)
                {
                    Vector256<short> cm = ColumnSum256(n + i - 1, f + i - 1);
                    Vector256<short> c0 = ColumnSum256(n + i, f + i);
                    Vector256<short> cp = ColumnSum256(n + i + 1, f + i + 1);
                    Vector256<short> c3 = c0 * 3;
                    Vector256<short> even = Vector256.ShiftRightLogical(c3 + cm + Vector256.Create((short)8), 4);
                    Vector256<short> odd = Vector256.ShiftRightLogical(c3 + cp + Vector256.Create((short)7), 4);
                    (even | (odd << 8)).AsByte().Store(o + (2 * i));
                }
            }

            H2V2Scalar(n, f, width, o, 0, 1);
            H2V2Scalar(n, f, width, o, i, width);
        }
    }

    /// <summary>2:1 horizontal only: writes 2 x width samples.</summary>
    public static void H2V1(ReadOnlySpan<byte> input, int width, Span<byte> output)
    {
        Check(input, input, width, output, 2 * width);
        if (width <= 2)
        {
            Replicate(input, width, 2, output);
            return;
        }

        fixed (byte* n = input)
        fixed (byte* o = output)
        {
            int i = 1;
            if (Vector512Path)
            {
                for (; i + 33 <= width; i += 32)
                {
                    Vector512<short> c3 = Widen512(n + i) * 3;
                    Vector512<short> even = Vector512.ShiftRightLogical(c3 + Widen512(n + i - 1) + Vector512.Create((short)1), 2);
                    Vector512<short> odd = Vector512.ShiftRightLogical(c3 + Widen512(n + i + 1) + Vector512.Create((short)2), 2);
                    (even | (odd << 8)).AsByte().Store(o + (2 * i));
                }
            }

            if (Vector256Path)
            {
                for (; i + 17 <= width; i += 16)
                {
                    Vector256<short> c3 = Widen256(n + i) * 3;
                    Vector256<short> even = Vector256.ShiftRightLogical(c3 + Widen256(n + i - 1) + Vector256.Create((short)1), 2);
                    Vector256<short> odd = Vector256.ShiftRightLogical(c3 + Widen256(n + i + 1) + Vector256.Create((short)2), 2);
                    (even | (odd << 8)).AsByte().Store(o + (2 * i));
                }
            }

            H2V1Scalar(n, width, o, 0, 1);
            H2V1Scalar(n, width, o, i, width);
        }
    }

    /// <summary>
    /// 1:2 vertical only: (3 x near + far + bias) / 4 for width samples, where bias is 1 when <paramref name="far"/>
    /// is the row above and 2 when it is the row below.
    /// </summary>
    public static void H1V2(ReadOnlySpan<byte> near, ReadOnlySpan<byte> far, int width, bool farIsBelow, Span<byte> output)
    {
        Check(near, far, width, output, width);
        short bias = (short)(farIsBelow ? 2 : 1);
        fixed (byte* n = near)
        fixed (byte* f = far)
        fixed (byte* o = output)
        {
            int i = 0;
            if (Vector512Path)
            {
                for (; i + 32 <= width; i += 32)
                {
                    Vector512<short> s = Vector512.ShiftRightLogical((Widen512(n + i) * 3) + Widen512(f + i) + Vector512.Create(bias), 2);
                    Avx512BW.ConvertToVector256Byte(s.AsUInt16()).Store(o + i);
                }
            }

            if (Vector256Path)
            {
                for (; i + 16 <= width; i += 16)
                {
                    Vector256<short> s = Vector256.ShiftRightLogical((Widen256(n + i) * 3) + Widen256(f + i) + Vector256.Create(bias), 2);
                    Vector256<byte> packed = Avx2.PackUnsignedSaturate(s, s);
                    Vector128<byte> ordered = Avx2.Permute4x64(packed.AsUInt64(), 0b_11_01_10_00).AsByte().GetLower();
                    ordered.Store(o + i);
                }
            }

            for (; i < width; i++) o[i] = (byte)(((3 * n[i]) + f[i] + bias) >> 2);
        }
    }

    /// <summary>
    /// Integral-factor box upsampling of one row: output[x] = input[x / factor] for x below both width x factor and
    /// the length of <paramref name="output"/>.
    /// </summary>
    public static void Replicate(ReadOnlySpan<byte> input, int width, int factor, Span<byte> output)
    {
        if (factor <= 0 || width <= 0 || input.Length < width)
            throw new ArgumentException("Upsampling buffers do not match the row width.");
        int length = (int)Math.Min(output.Length, (long)width * factor);
        if (factor == 1)
        {
            input[..length].CopyTo(output);
            return;
        }

        int x = 0;
        for (int i = 0; x < length; i++)
        {
            byte v = input[i];
            int end = Math.Min(x + factor, length);
            for (; x < end; x++) output[x] = v;
        }
    }

    /// <summary>Reference twin of <see cref="H2V2"/>: libjpeg's h2v2 fancy upsampling, scalar.</summary>
    public static void H2V2Reference(ReadOnlySpan<byte> near, ReadOnlySpan<byte> far, int width, Span<byte> output)
    {
        Check(near, far, width, output, 2 * width);
        if (width <= 2)
        {
            Replicate(near, width, 2, output);
            return;
        }

        fixed (byte* n = near)
        fixed (byte* f = far)
        fixed (byte* o = output)
            H2V2Scalar(n, f, width, o, 0, width);
    }

    /// <summary>Reference twin of <see cref="H2V1"/>: libjpeg's h2v1 fancy upsampling, scalar.</summary>
    public static void H2V1Reference(ReadOnlySpan<byte> input, int width, Span<byte> output)
    {
        Check(input, input, width, output, 2 * width);
        if (width <= 2)
        {
            Replicate(input, width, 2, output);
            return;
        }

        fixed (byte* n = input)
        fixed (byte* o = output)
            H2V1Scalar(n, width, o, 0, width);
    }

    /// <summary>Reference twin of <see cref="H1V2"/>.</summary>
    public static void H1V2Reference(ReadOnlySpan<byte> near, ReadOnlySpan<byte> far, int width, bool farIsBelow, Span<byte> output)
    {
        Check(near, far, width, output, width);
        int bias = farIsBelow ? 2 : 1;
        for (int i = 0; i < width; i++) output[i] = (byte)(((3 * near[i]) + far[i] + bias) >> 2);
    }

    // Outputs 2i, 2i+1 for inputs i in [from, to); neighbours beyond the row repeat its edge samples.
    private static void H2V2Scalar(byte* n, byte* f, int width, byte* o, int from, int to)
    {
        for (int i = from; i < to; i++)
        {
            int c = (3 * n[i]) + f[i];
            int left = i > 0 ? (3 * n[i - 1]) + f[i - 1] : c;
            int right = i < width - 1 ? (3 * n[i + 1]) + f[i + 1] : c;
            o[2 * i] = (byte)(((3 * c) + left + 8) >> 4);
            o[(2 * i) + 1] = (byte)(((3 * c) + right + 7) >> 4);
        }
    }

    private static void H2V1Scalar(byte* n, int width, byte* o, int from, int to)
    {
        for (int i = from; i < to; i++)
        {
            int c = 3 * n[i];
            int left = i > 0 ? n[i - 1] : n[i];
            int right = i < width - 1 ? n[i + 1] : n[i];
            o[2 * i] = (byte)((c + left + 1) >> 2);
            o[(2 * i) + 1] = (byte)((c + right + 2) >> 2);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Widen256(byte* p) => Avx2.ConvertToVector256Int16(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<short> Widen512(byte* p) => Avx512BW.ConvertToVector512Int16(Vector256.Load(p));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> ColumnSum256(byte* n, byte* f) => (Widen256(n) * 3) + Widen256(f);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<short> ColumnSum512(byte* n, byte* f) => (Widen512(n) * 3) + Widen512(f);

    private static void Check(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int width, Span<byte> output, int outputLength)
    {
        if (width <= 0 || a.Length < width || b.Length < width || output.Length < outputLength)
            throw new ArgumentException("Upsampling buffers do not match the row width.");
    }
}
