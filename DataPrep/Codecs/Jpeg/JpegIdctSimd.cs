using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static MlPipelines.DataPrep.Codecs.Jpeg.JpegIdct;

namespace MlPipelines.DataPrep.Codecs.Jpeg;

/// <summary>
/// The SIMD paths of <see cref="JpegIdct"/>: 32-bit lanes, the same arithmetic as the scalar reference, so results are
/// bit-identical. Vector256 transforms one block (a lane per column, then a lane per row after a transpose);
/// Vector512 transforms two blocks at once, one per 256-bit half.
/// </summary>
internal static unsafe class JpegIdctSimd
{
    /// <summary>Whether the Vector512 path runs here (AVX-512 F and BW).</summary>
    public static bool Vector512Path => Avx512F.IsSupported && Avx512BW.IsSupported && Vector512.IsHardwareAccelerated;

    /// <summary>Whether the Vector256 path runs here (AVX2).</summary>
    public static bool Vector256Path => Avx2.IsSupported && Vector256.IsHardwareAccelerated;

    // In-lane 4x4 byte transpose: byte col*4+row goes to row*4+col.
    private static ReadOnlySpan<byte> TransposeBytes => [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15];

    /// <summary>One block: <paramref name="c"/> 64 coefficients, <paramref name="q"/> 64 factors, output 8 rows of 8 bytes.</summary>
    public static void Transform256(short* c, int* q, byte* dst, int stride)
    {
        Vector256<int> v0 = Avx2.ConvertToVector256Int32(c) * Vector256.Load(q);
        Vector256<int> v1 = Avx2.ConvertToVector256Int32(c + 8) * Vector256.Load(q + 8);
        Vector256<int> v2 = Avx2.ConvertToVector256Int32(c + 16) * Vector256.Load(q + 16);
        Vector256<int> v3 = Avx2.ConvertToVector256Int32(c + 24) * Vector256.Load(q + 24);
        Vector256<int> v4 = Avx2.ConvertToVector256Int32(c + 32) * Vector256.Load(q + 32);
        Vector256<int> v5 = Avx2.ConvertToVector256Int32(c + 40) * Vector256.Load(q + 40);
        Vector256<int> v6 = Avx2.ConvertToVector256Int32(c + 48) * Vector256.Load(q + 48);
        Vector256<int> v7 = Avx2.ConvertToVector256Int32(c + 56) * Vector256.Load(q + 56);

        Pass(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7, Pass1Bias, Pass1Shift); // columns
        Transpose(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7);
        Pass(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7, Pass2Bias, Pass2Shift); // rows; v_k = column k

        // Saturate to bytes: lane 0 of b0 holds columns 0-3 of rows 0-3 (column-major), lane 1 rows 4-7.
        Vector256<byte> b0 = Avx2.PackUnsignedSaturate(Avx2.PackSignedSaturate(v0, v1), Avx2.PackSignedSaturate(v2, v3));
        Vector256<byte> b1 = Avx2.PackUnsignedSaturate(Avx2.PackSignedSaturate(v4, v5), Avx2.PackSignedSaturate(v6, v7));
        Vector256<byte> shuffle = Vector256.Create(Vector128.Create(TransposeBytes), Vector128.Create(TransposeBytes));
        b0 = Avx2.Shuffle(b0, shuffle); // now row-major: rows 0-3 (lane 0) / 4-7 (lane 1), columns 0-3
        b1 = Avx2.Shuffle(b1, shuffle); // columns 4-7
        Vector256<int> r01 = Avx2.UnpackLow(b0.AsInt32(), b1.AsInt32());  // rows 0, 1 | rows 4, 5
        Vector256<int> r23 = Avx2.UnpackHigh(b0.AsInt32(), b1.AsInt32()); // rows 2, 3 | rows 6, 7
        Store2(r01.GetLower(), dst, stride);
        Store2(r23.GetLower(), dst + (2 * stride), stride);
        Store2(r01.GetUpper(), dst + (4 * stride), stride);
        Store2(r23.GetUpper(), dst + (6 * stride), stride);
    }

    /// <summary>Two blocks (<paramref name="c"/> and c + 64) to two horizontally adjacent 8x8 areas at dst and dst + 8.</summary>
    public static void TransformPair512(short* c, int* q, byte* dst, int stride)
    {
        Vector512<int> v0 = Load2(c, q, 0), v1 = Load2(c, q, 8), v2 = Load2(c, q, 16), v3 = Load2(c, q, 24);
        Vector512<int> v4 = Load2(c, q, 32), v5 = Load2(c, q, 40), v6 = Load2(c, q, 48), v7 = Load2(c, q, 56);

        Pass(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7, Pass1Bias, Pass1Shift);
        Transpose(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7);
        Pass(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7, Pass2Bias, Pass2Shift);

        Vector512<byte> b0 = Avx512BW.PackUnsignedSaturate(Avx512BW.PackSignedSaturate(v0, v1), Avx512BW.PackSignedSaturate(v2, v3));
        Vector512<byte> b1 = Avx512BW.PackUnsignedSaturate(Avx512BW.PackSignedSaturate(v4, v5), Avx512BW.PackSignedSaturate(v6, v7));
        Vector256<byte> s = Vector256.Create(Vector128.Create(TransposeBytes), Vector128.Create(TransposeBytes));
        Vector512<byte> shuffle = Vector512.Create(s, s);
        b0 = Avx512BW.Shuffle(b0, shuffle);
        b1 = Avx512BW.Shuffle(b1, shuffle);
        Vector512<int> r01 = Avx512F.UnpackLow(b0.AsInt32(), b1.AsInt32());  // A rows 0,1 | A rows 4,5 | B rows 0,1 | B rows 4,5
        Vector512<int> r23 = Avx512F.UnpackHigh(b0.AsInt32(), b1.AsInt32()); // rows 2,3 | 6,7 | 2,3 | 6,7
        Store2(r01.GetLower().GetLower(), dst, stride);
        Store2(r23.GetLower().GetLower(), dst + (2 * stride), stride);
        Store2(r01.GetLower().GetUpper(), dst + (4 * stride), stride);
        Store2(r23.GetLower().GetUpper(), dst + (6 * stride), stride);
        Store2(r01.GetUpper().GetLower(), dst + 8, stride);
        Store2(r23.GetUpper().GetLower(), dst + 8 + (2 * stride), stride);
        Store2(r01.GetUpper().GetUpper(), dst + 8 + (4 * stride), stride);
        Store2(r23.GetUpper().GetUpper(), dst + 8 + (6 * stride), stride);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Load2(short* c, int* q, int k)
    {
        Vector256<short> rows = Vector256.Create(Vector128.Load(c + k), Vector128.Load(c + 64 + k));
        Vector256<int> quant = Vector256.Load(q + k);
        return Avx512F.ConvertToVector512Int32(rows) * Vector512.Create(quant, quant);
    }

    /// <summary>Stores the low 8 bytes of <paramref name="rows"/> at dst and the high 8 bytes one row below.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store2(Vector128<int> rows, byte* dst, int stride)
    {
        Vector128<ulong> u = rows.AsUInt64();
        Unsafe.WriteUnaligned(dst, u.ToScalar());
        Unsafe.WriteUnaligned(dst + stride, u.GetElement(1));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pass(
        ref Vector256<int> v0, ref Vector256<int> v1, ref Vector256<int> v2, ref Vector256<int> v3,
        ref Vector256<int> v4, ref Vector256<int> v5, ref Vector256<int> v6, ref Vector256<int> v7, int bias, int shift)
    {
        Vector256<int> z1 = (v2 + v6) * Fix0541196100;
        Vector256<int> tmp2 = z1 - (v6 * Fix1847759065);
        Vector256<int> tmp3 = z1 + (v2 * Fix0765366865);
        Vector256<int> b = Vector256.Create(bias);
        Vector256<int> tmp0 = ((v0 + v4) << ConstBits) + b;
        Vector256<int> tmp1 = ((v0 - v4) << ConstBits) + b;
        Vector256<int> tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3, tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2;

        Vector256<int> o0 = v7, o1 = v5, o2 = v3, o3 = v1;
        Vector256<int> s1 = o0 + o3, s2 = o1 + o2, s3 = o0 + o2, s4 = o1 + o3;
        Vector256<int> z5 = (s3 + s4) * Fix1175875602;
        s1 *= -Fix0899976223;
        s2 *= -Fix2562915447;
        s3 = (s3 * -Fix1961570560) + z5;
        s4 = (s4 * -Fix0390180644) + z5;
        o0 = (o0 * Fix0298631336) + s1 + s3;
        o1 = (o1 * Fix2053119869) + s2 + s4;
        o2 = (o2 * Fix3072711026) + s2 + s3;
        o3 = (o3 * Fix1501321110) + s1 + s4;

        v0 = (tmp10 + o3) >> shift;
        v7 = (tmp10 - o3) >> shift;
        v1 = (tmp11 + o2) >> shift;
        v6 = (tmp11 - o2) >> shift;
        v2 = (tmp12 + o1) >> shift;
        v5 = (tmp12 - o1) >> shift;
        v3 = (tmp13 + o0) >> shift;
        v4 = (tmp13 - o0) >> shift;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pass(
        ref Vector512<int> v0, ref Vector512<int> v1, ref Vector512<int> v2, ref Vector512<int> v3,
        ref Vector512<int> v4, ref Vector512<int> v5, ref Vector512<int> v6, ref Vector512<int> v7, int bias, int shift)
    {
        Vector512<int> z1 = (v2 + v6) * Fix0541196100;
        Vector512<int> tmp2 = z1 - (v6 * Fix1847759065);
        Vector512<int> tmp3 = z1 + (v2 * Fix0765366865);
        Vector512<int> b = Vector512.Create(bias);
        Vector512<int> tmp0 = ((v0 + v4) << ConstBits) + b;
        Vector512<int> tmp1 = ((v0 - v4) << ConstBits) + b;
        Vector512<int> tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3, tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2;

        Vector512<int> o0 = v7, o1 = v5, o2 = v3, o3 = v1;
        Vector512<int> s1 = o0 + o3, s2 = o1 + o2, s3 = o0 + o2, s4 = o1 + o3;
        Vector512<int> z5 = (s3 + s4) * Fix1175875602;
        s1 *= -Fix0899976223;
        s2 *= -Fix2562915447;
        s3 = (s3 * -Fix1961570560) + z5;
        s4 = (s4 * -Fix0390180644) + z5;
        o0 = (o0 * Fix0298631336) + s1 + s3;
        o1 = (o1 * Fix2053119869) + s2 + s4;
        o2 = (o2 * Fix3072711026) + s2 + s3;
        o3 = (o3 * Fix1501321110) + s1 + s4;

        v0 = (tmp10 + o3) >> shift;
        v7 = (tmp10 - o3) >> shift;
        v1 = (tmp11 + o2) >> shift;
        v6 = (tmp11 - o2) >> shift;
        v2 = (tmp12 + o1) >> shift;
        v5 = (tmp12 - o1) >> shift;
        v3 = (tmp13 + o0) >> shift;
        v4 = (tmp13 - o0) >> shift;
    }

    /// <summary>Transposes the 8x8 matrix of 32-bit values whose rows are v0..v7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(
        ref Vector256<int> v0, ref Vector256<int> v1, ref Vector256<int> v2, ref Vector256<int> v3,
        ref Vector256<int> v4, ref Vector256<int> v5, ref Vector256<int> v6, ref Vector256<int> v7)
    {
        Vector256<long> t0 = Avx2.UnpackLow(v0, v1).AsInt64(), t1 = Avx2.UnpackHigh(v0, v1).AsInt64();
        Vector256<long> t2 = Avx2.UnpackLow(v2, v3).AsInt64(), t3 = Avx2.UnpackHigh(v2, v3).AsInt64();
        Vector256<long> t4 = Avx2.UnpackLow(v4, v5).AsInt64(), t5 = Avx2.UnpackHigh(v4, v5).AsInt64();
        Vector256<long> t6 = Avx2.UnpackLow(v6, v7).AsInt64(), t7 = Avx2.UnpackHigh(v6, v7).AsInt64();
        Vector256<int> u0 = Avx2.UnpackLow(t0, t2).AsInt32(), u1 = Avx2.UnpackHigh(t0, t2).AsInt32();
        Vector256<int> u2 = Avx2.UnpackLow(t1, t3).AsInt32(), u3 = Avx2.UnpackHigh(t1, t3).AsInt32();
        Vector256<int> u4 = Avx2.UnpackLow(t4, t6).AsInt32(), u5 = Avx2.UnpackHigh(t4, t6).AsInt32();
        Vector256<int> u6 = Avx2.UnpackLow(t5, t7).AsInt32(), u7 = Avx2.UnpackHigh(t5, t7).AsInt32();
        v0 = Avx2.Permute2x128(u0, u4, 0x20);
        v4 = Avx2.Permute2x128(u0, u4, 0x31);
        v1 = Avx2.Permute2x128(u1, u5, 0x20);
        v5 = Avx2.Permute2x128(u1, u5, 0x31);
        v2 = Avx2.Permute2x128(u2, u6, 0x20);
        v6 = Avx2.Permute2x128(u2, u6, 0x31);
        v3 = Avx2.Permute2x128(u3, u7, 0x20);
        v7 = Avx2.Permute2x128(u3, u7, 0x31);
    }

    /// <summary>Transposes the two 8x8 matrices held in the 256-bit halves of v0..v7.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(
        ref Vector512<int> v0, ref Vector512<int> v1, ref Vector512<int> v2, ref Vector512<int> v3,
        ref Vector512<int> v4, ref Vector512<int> v5, ref Vector512<int> v6, ref Vector512<int> v7)
    {
        Vector512<long> t0 = Avx512F.UnpackLow(v0, v1).AsInt64(), t1 = Avx512F.UnpackHigh(v0, v1).AsInt64();
        Vector512<long> t2 = Avx512F.UnpackLow(v2, v3).AsInt64(), t3 = Avx512F.UnpackHigh(v2, v3).AsInt64();
        Vector512<long> t4 = Avx512F.UnpackLow(v4, v5).AsInt64(), t5 = Avx512F.UnpackHigh(v4, v5).AsInt64();
        Vector512<long> t6 = Avx512F.UnpackLow(v6, v7).AsInt64(), t7 = Avx512F.UnpackHigh(v6, v7).AsInt64();
        Vector512<long> u0 = Avx512F.UnpackLow(t0, t2), u1 = Avx512F.UnpackHigh(t0, t2);
        Vector512<long> u2 = Avx512F.UnpackLow(t1, t3), u3 = Avx512F.UnpackHigh(t1, t3);
        Vector512<long> u4 = Avx512F.UnpackLow(t4, t6), u5 = Avx512F.UnpackHigh(t4, t6);
        Vector512<long> u6 = Avx512F.UnpackLow(t5, t7), u7 = Avx512F.UnpackHigh(t5, t7);

        // Per 256-bit half: low 128 bits from the first source then the second (like vperm2i128 0x20), or the high ones (0x31).
        Vector512<long> lows = Vector512.Create(0L, 1, 8, 9, 4, 5, 12, 13);
        Vector512<long> highs = Vector512.Create(2L, 3, 10, 11, 6, 7, 14, 15);
        v0 = Avx512F.PermuteVar8x64x2(u0, lows, u4).AsInt32();
        v4 = Avx512F.PermuteVar8x64x2(u0, highs, u4).AsInt32();
        v1 = Avx512F.PermuteVar8x64x2(u1, lows, u5).AsInt32();
        v5 = Avx512F.PermuteVar8x64x2(u1, highs, u5).AsInt32();
        v2 = Avx512F.PermuteVar8x64x2(u2, lows, u6).AsInt32();
        v6 = Avx512F.PermuteVar8x64x2(u2, highs, u6).AsInt32();
        v3 = Avx512F.PermuteVar8x64x2(u3, lows, u7).AsInt32();
        v7 = Avx512F.PermuteVar8x64x2(u3, highs, u7).AsInt32();
    }
}
