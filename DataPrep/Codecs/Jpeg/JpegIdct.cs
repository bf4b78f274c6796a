using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MlPipelines.DataPrep.Codecs.Jpeg;

/// <summary>
/// Dequantisation and inverse DCT of 8x8 blocks to samples, with the arithmetic of libjpeg's accurate integer IDCT
/// ("islow": Loeffler-Ligtenberg-Moschytz with 13-bit constants, 2 extra bits between the column and row passes),
/// so that results equal djpeg's default output. <see cref="TransformRow"/> picks the Vector512 (two blocks at once),
/// Vector256 or scalar path; <see cref="TransformBlockReference"/> is the plain reference twin.
/// </summary>
internal static class JpegIdct
{
    internal const int ConstBits = 13;
    internal const int Pass1Bits = 2;
    internal const int Pass1Shift = ConstBits - Pass1Bits;
    internal const int Pass2Shift = ConstBits + Pass1Bits + 3;

    // FIX(x) = round(x * 2^13).
    internal const int Fix0298631336 = 2446;
    internal const int Fix0390180644 = 3196;
    internal const int Fix0541196100 = 4433;
    internal const int Fix0765366865 = 6270;
    internal const int Fix0899976223 = 7373;
    internal const int Fix1175875602 = 9633;
    internal const int Fix1501321110 = 12299;
    internal const int Fix1847759065 = 15137;
    internal const int Fix1961570560 = 16069;
    internal const int Fix2053119869 = 16819;
    internal const int Fix2562915447 = 20995;
    internal const int Fix3072711026 = 25172;

    /// <summary>Rounding of the first pass.</summary>
    internal const int Pass1Bias = 1 << (Pass1Shift - 1);

    /// <summary>Rounding of the second pass plus the level shift of 128 (folded in before the shift).</summary>
    internal const int Pass2Bias = (1 << (Pass2Shift - 1)) + (128 << Pass2Shift);

    /// <summary>
    /// Transforms <paramref name="count"/> horizontally adjacent blocks: block i of <paramref name="coefficients"/>
    /// ([count, 64] natural order) goes to columns 8i..8i+7 of rows 0..7 of <paramref name="output"/> starting at
    /// <paramref name="offset"/> with <paramref name="stride"/> bytes per row.
    /// </summary>
    public static unsafe void TransformRow(ReadOnlySpan<short> coefficients, ReadOnlySpan<int> quant, Span<byte> output, int offset, int stride, int count)
    {
        if (count <= 0) return;
        if (coefficients.Length < count * 64 || quant.Length < 64 || stride < count * 8 || offset < 0
            || (long)offset + (7L * stride) + (count * 8L) > output.Length)
            throw new ArgumentException("IDCT buffers are too small for the requested blocks.");

        fixed (short* c = coefficients)
        fixed (int* q = quant)
        fixed (byte* o = output)
        {
            byte* dst = o + offset;
            int i = 0;
            if (JpegIdctSimd.Vector512Path)
            {
                for (; i + 1 < count; i += 2)
                {
                    short* a = c + (i * 64);
                    bool dcA = IsDcOnly(a), dcB = IsDcOnly(a + 64);
                    if (dcA && dcB)
                    {
                        FillDc(a[0] * q[0], dst + (i * 8), stride);
                        FillDc(a[64] * q[0], dst + (i * 8) + 8, stride);
                    }
                    else
                    {
                        JpegIdctSimd.TransformPair512(a, q, dst + (i * 8), stride);
                    }
                }
            }

            for (; i < count; i++)
            {
                short* b = c + (i * 64);
                if (IsDcOnly(b)) FillDc(b[0] * q[0], dst + (i * 8), stride);
                else if (JpegIdctSimd.Vector256Path) JpegIdctSimd.Transform256(b, q, dst + (i * 8), stride);
                else TransformBlockReference(new ReadOnlySpan<short>(b, 64), quant, output.Slice(offset + (i * 8)), stride);
            }
        }
    }

    /// <summary>
    /// The reference twin: one block, scalar, the two passes exactly as libjpeg's jpeg_idct_islow computes them
    /// (without its zero shortcuts, which do not change results). Output is clamped to 0..255.
    /// </summary>
    public static void TransformBlockReference(ReadOnlySpan<short> block, ReadOnlySpan<int> quant, Span<byte> output, int stride)
    {
        Span<int> ws = stackalloc int[64];
        Span<int> v = stackalloc int[8];
        for (int col = 0; col < 8; col++)
        {
            for (int k = 0; k < 8; k++) v[k] = block[(k * 8) + col] * quant[(k * 8) + col];
            Transform1D(v, Pass1Bias, Pass1Shift);
            for (int k = 0; k < 8; k++) ws[(k * 8) + col] = v[k];
        }

        for (int row = 0; row < 8; row++)
        {
            for (int k = 0; k < 8; k++) v[k] = ws[(row * 8) + k];
            Transform1D(v, Pass2Bias, Pass2Shift);
            for (int k = 0; k < 8; k++) output[(row * stride) + k] = (byte)Math.Clamp(v[k], 0, 255);
        }
    }

    /// <summary>One 8-point pass of the islow IDCT on <paramref name="v"/> in place: (x + bias) &gt;&gt; shift of each output.</summary>
    private static void Transform1D(Span<int> v, int bias, int shift)
    {
        // Even part: rotation of coefficients 2 and 6, butterflies with 0 and 4.
        int z1 = (v[2] + v[6]) * Fix0541196100;
        int tmp2 = z1 - (v[6] * Fix1847759065);
        int tmp3 = z1 + (v[2] * Fix0765366865);
        int tmp0 = (v[0] + v[4]) << ConstBits;
        int tmp1 = (v[0] - v[4]) << ConstBits;
        int tmp10 = tmp0 + tmp3 + bias;
        int tmp13 = tmp0 - tmp3 + bias;
        int tmp11 = tmp1 + tmp2 + bias;
        int tmp12 = tmp1 - tmp2 + bias;

        // Odd part: coefficients 7, 5, 3, 1.
        int o0 = v[7], o1 = v[5], o2 = v[3], o3 = v[1];
        int s1 = o0 + o3, s2 = o1 + o2, s3 = o0 + o2, s4 = o1 + o3;
        int z5 = (s3 + s4) * Fix1175875602;
        o0 *= Fix0298631336;
        o1 *= Fix2053119869;
        o2 *= Fix3072711026;
        o3 *= Fix1501321110;
        s1 *= -Fix0899976223;
        s2 *= -Fix2562915447;
        s3 = (s3 * -Fix1961570560) + z5;
        s4 = (s4 * -Fix0390180644) + z5;
        o0 += s1 + s3;
        o1 += s2 + s4;
        o2 += s2 + s3;
        o3 += s1 + s4;

        v[0] = (tmp10 + o3) >> shift;
        v[7] = (tmp10 - o3) >> shift;
        v[1] = (tmp11 + o2) >> shift;
        v[6] = (tmp11 - o2) >> shift;
        v[2] = (tmp12 + o1) >> shift;
        v[5] = (tmp12 - o1) >> shift;
        v[3] = (tmp13 + o0) >> shift;
        v[4] = (tmp13 - o0) >> shift;
    }

    /// <summary>The sample value of a block whose only non-zero coefficient is the DC, with the same arithmetic as the full transform.</summary>
    internal static int DcValue(int dequantizedDc)
    {
        int w = ((dequantizedDc << ConstBits) + Pass1Bias) >> Pass1Shift;
        return Math.Clamp(((w << ConstBits) + Pass2Bias) >> Pass2Shift, 0, 255);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe bool IsDcOnly(short* block)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<short> acc = Vector256.Load(block) & Vector256.Create(0, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, (short)-1);
            acc |= Vector256.Load(block + 16) | Vector256.Load(block + 32) | Vector256.Load(block + 48);
            return acc == Vector256<short>.Zero;
        }

        ulong* u = (ulong*)block;
        ulong any = u[0] & ~0xFFFFUL;
        for (int i = 1; i < 16; i++) any |= u[i];
        return any == 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void FillDc(int dequantizedDc, byte* dst, int stride)
    {
        ulong pattern = (ulong)DcValue(dequantizedDc) * 0x0101010101010101UL;
        for (int r = 0; r < 8; r++) Unsafe.WriteUnaligned(dst + (r * stride), pattern);
    }

    /// <summary>Which path <see cref="TransformRow"/> takes on this machine: "Vector512", "Vector256" or "Scalar".</summary>
    public static string ActivePath => JpegIdctSimd.Vector512Path ? "Vector512" : JpegIdctSimd.Vector256Path ? "Vector256" : "Scalar";
}
