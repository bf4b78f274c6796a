using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MlPipelines.Engine.Kernels;

/// <summary>
/// C[m, n] += A[m, k] B[n, k]^T for few rows and columns and a long k, as convolution weight gradients have
/// (output channels x patch size, summed over every output pixel): each element of C is the dot product of a row of A
/// and a row of B, both contiguous, so nothing is packed or transposed. A 4x3 block of dot products shares its loads;
/// each keeps vector partial sums over k, reduced in a fixed lane order, so results are reproducible.
/// </summary>
internal static unsafe class RowDot
{
    /// <summary>Rows of A (and C) per block: four, so a block's twelve vector sums, three B rows and one A row fill AVX2's
    /// sixteen registers. (A 3x3 block ran at 45-68 GFLOP/s on ResNet-20's weight gradients, 4x3 at 61-84: a third fewer
    /// loads per multiply-add, and whole blocks for 16, 32 and 64 output channels.)</summary>
    private const int Rows = 4;

    /// <summary>Rows of B (columns of C) per block: three, a 3x3 kernel's taps along one kernel row.</summary>
    private const int Cols = 3;

    /// <summary>
    /// <paramref name="k"/> rounded up to a whole number of the vector loop's steps. A caller that can extend its rows with
    /// zeros (in A or B) to this length spares every block the scalar tail, which otherwise costs a block with a 3-7 float
    /// remainder about a tenth of its time.
    /// </summary>
    public static int PaddedLength(int k)
    {
        int step = Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : 1;
        return (k + step - 1) / step * step;
    }

    /// <summary>C[i, j] += sum over p of A[i, p] B[j, p].</summary>
    /// <param name="a">// [m, lda], the first k of each row used</param>
    /// <param name="lda">Distance between rows of A (>= k).</param>
    /// <param name="b">// [n, ldb], the first k of each row used</param>
    /// <param name="ldb">Distance between rows of B (>= k).</param>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="n">Rows of B, columns of C.</param>
    /// <param name="k">Length of each dot product.</param>
    /// <param name="c">// [m, ldc], accumulated into</param>
    /// <param name="ldc">Distance between rows of C (>= n).</param>
    public static void Accumulate(ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, int m, int n, int k, Span<float> c, int ldc)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), "Sizes must not be negative.");
        if (m == 0 || n == 0 || k == 0) return;
        if (lda < k || ldb < k || ldc < n) throw new ArgumentOutOfRangeException(nameof(lda), $"Leading dimensions ({lda}, {ldb}, {ldc}) are shorter than the rows ({k}, {k}, {n}).");
        if ((long)(m - 1) * lda + k > a.Length) throw new ArgumentException($"A needs {(long)(m - 1) * lda + k} elements, the span has {a.Length}.", nameof(a));
        if ((long)(n - 1) * ldb + k > b.Length) throw new ArgumentException($"B needs {(long)(n - 1) * ldb + k} elements, the span has {b.Length}.", nameof(b));
        if ((long)(m - 1) * ldc + n > c.Length) throw new ArgumentException($"C needs {(long)(m - 1) * ldc + n} elements, the span has {c.Length}.", nameof(c));
        fixed (float* pa = a, pb = b, pc = c)
            Run(pa, lda, pb, ldb, null, m, n, k, pc, ldc);
    }

    /// <summary>
    /// As <see cref="Accumulate"/> with row j of B the k floats from <c>b[bRowOffsets[j]]</c> on: an implicit matrix of
    /// views into one buffer, such as the shifted windows of a zero-bordered image (a convolution's weight gradient).
    /// </summary>
    public static void AccumulateRowTable(ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, ReadOnlySpan<int> bRowOffsets, int m, int n, int k, Span<float> c, int ldc)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), "Sizes must not be negative.");
        if (m == 0 || n == 0 || k == 0) return;
        if (lda < k || ldc < n) throw new ArgumentOutOfRangeException(nameof(lda), $"Leading dimensions ({lda}, {ldc}) are shorter than the rows ({k}, {n}).");
        if ((long)(m - 1) * lda + k > a.Length) throw new ArgumentException($"A needs {(long)(m - 1) * lda + k} elements, the span has {a.Length}.", nameof(a));
        if (bRowOffsets.Length < n) throw new ArgumentException($"B needs {n} row offsets, {bRowOffsets.Length} given.", nameof(bRowOffsets));
        for (int j = 0; j < n; j++)
            if (bRowOffsets[j] < 0 || (long)bRowOffsets[j] + k > b.Length)
                throw new ArgumentException($"Row {j} of B (offset {bRowOffsets[j]}, {k} long) lies outside the {b.Length} elements of b.", nameof(bRowOffsets));
        if ((long)(m - 1) * ldc + n > c.Length) throw new ArgumentException($"C needs {(long)(m - 1) * ldc + n} elements, the span has {c.Length}.", nameof(c));
        fixed (float* pa = a, pb = b, pc = c)
        fixed (int* offsets = bRowOffsets)
            Run(pa, lda, pb, 0, offsets, m, n, k, pc, ldc);
    }

    /// <summary>Row j of B is at b + j * ldb, or at b + offsets[j] when a table is given.</summary>
    private static void Run(float* pa, int lda, float* pb, int ldb, int* offsets, int m, int n, int k, float* pc, int ldc)
    {
        float* dots = stackalloc float[Rows * Cols];
        for (int i = 0; i < m; i += Rows)
        {
            int rows = Math.Min(Rows, m - i);
            float* a0 = pa + (long)i * lda;
            // A ragged block repeats its last row or column (read, never stored), so one kernel serves every block.
            float* a1 = rows > 1 ? a0 + lda : a0, a2 = rows > 2 ? a0 + 2L * lda : a1, a3 = rows > 3 ? a0 + 3L * lda : a2;
            for (int j = 0; j < n; j += Cols)
            {
                int cols = Math.Min(Cols, n - j);
                float* b0 = RowB(pb, ldb, offsets, j);
                float* b1 = cols > 1 ? RowB(pb, ldb, offsets, j + 1) : b0, b2 = cols > 2 ? RowB(pb, ldb, offsets, j + 2) : b1;
                var block = new Block(a0, a1, a2, a3, b0, b1, b2);
                if (Vector512.IsHardwareAccelerated) Dots512(block, k, dots);
                else if (Vector256.IsHardwareAccelerated) Dots256(block, k, dots);
                else DotsScalar(block, k, dots);
                for (int r = 0; r < rows; r++)
                    for (int s = 0; s < cols; s++) pc[(long)(i + r) * ldc + j + s] += dots[r * Cols + s];
            }
        }
    }

    private static float* RowB(float* b, int ldb, int* offsets, int j) => offsets is null ? b + (long)j * ldb : b + offsets[j];

    /// <summary>The four rows of A and three of B one block of dot products reads.</summary>
    private readonly struct Block(float* a0, float* a1, float* a2, float* a3, float* b0, float* b1, float* b2)
    {
        public readonly float* A0 = a0, A1 = a1, A2 = a2, A3 = a3, B0 = b0, B1 = b1, B2 = b2;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dots256(in Block q, int k, float* dots)
    {
        float* a0 = q.A0, a1 = q.A1, a2 = q.A2, a3 = q.A3, b0 = q.B0, b1 = q.B1, b2 = q.B2;
        Vector256<float> s00 = default, s01 = default, s02 = default, s10 = default, s11 = default, s12 = default;
        Vector256<float> s20 = default, s21 = default, s22 = default, s30 = default, s31 = default, s32 = default;
        int p = 0;
        for (; p <= k - 8; p += 8)
        {
            Vector256<float> y0 = Vector256.Load(b0 + p), y1 = Vector256.Load(b1 + p), y2 = Vector256.Load(b2 + p);
            Vector256<float> x = Vector256.Load(a0 + p);
            s00 = Vector256.FusedMultiplyAdd(x, y0, s00); s01 = Vector256.FusedMultiplyAdd(x, y1, s01); s02 = Vector256.FusedMultiplyAdd(x, y2, s02);
            x = Vector256.Load(a1 + p);
            s10 = Vector256.FusedMultiplyAdd(x, y0, s10); s11 = Vector256.FusedMultiplyAdd(x, y1, s11); s12 = Vector256.FusedMultiplyAdd(x, y2, s12);
            x = Vector256.Load(a2 + p);
            s20 = Vector256.FusedMultiplyAdd(x, y0, s20); s21 = Vector256.FusedMultiplyAdd(x, y1, s21); s22 = Vector256.FusedMultiplyAdd(x, y2, s22);
            x = Vector256.Load(a3 + p);
            s30 = Vector256.FusedMultiplyAdd(x, y0, s30); s31 = Vector256.FusedMultiplyAdd(x, y1, s31); s32 = Vector256.FusedMultiplyAdd(x, y2, s32);
        }
        dots[0] = Vector256.Sum(s00); dots[1] = Vector256.Sum(s01); dots[2] = Vector256.Sum(s02);
        dots[3] = Vector256.Sum(s10); dots[4] = Vector256.Sum(s11); dots[5] = Vector256.Sum(s12);
        dots[6] = Vector256.Sum(s20); dots[7] = Vector256.Sum(s21); dots[8] = Vector256.Sum(s22);
        dots[9] = Vector256.Sum(s30); dots[10] = Vector256.Sum(s31); dots[11] = Vector256.Sum(s32);
        Tail(q, p, k, dots);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dots512(in Block q, int k, float* dots)
    {
        float* a0 = q.A0, a1 = q.A1, a2 = q.A2, a3 = q.A3, b0 = q.B0, b1 = q.B1, b2 = q.B2;
        Vector512<float> s00 = default, s01 = default, s02 = default, s10 = default, s11 = default, s12 = default;
        Vector512<float> s20 = default, s21 = default, s22 = default, s30 = default, s31 = default, s32 = default;
        int p = 0;
        for (; p <= k - 16; p += 16)
        {
            Vector512<float> y0 = Vector512.Load(b0 + p), y1 = Vector512.Load(b1 + p), y2 = Vector512.Load(b2 + p);
            Vector512<float> x = Vector512.Load(a0 + p);
            s00 = Vector512.FusedMultiplyAdd(x, y0, s00); s01 = Vector512.FusedMultiplyAdd(x, y1, s01); s02 = Vector512.FusedMultiplyAdd(x, y2, s02);
            x = Vector512.Load(a1 + p);
            s10 = Vector512.FusedMultiplyAdd(x, y0, s10); s11 = Vector512.FusedMultiplyAdd(x, y1, s11); s12 = Vector512.FusedMultiplyAdd(x, y2, s12);
            x = Vector512.Load(a2 + p);
            s20 = Vector512.FusedMultiplyAdd(x, y0, s20); s21 = Vector512.FusedMultiplyAdd(x, y1, s21); s22 = Vector512.FusedMultiplyAdd(x, y2, s22);
            x = Vector512.Load(a3 + p);
            s30 = Vector512.FusedMultiplyAdd(x, y0, s30); s31 = Vector512.FusedMultiplyAdd(x, y1, s31); s32 = Vector512.FusedMultiplyAdd(x, y2, s32);
        }
        dots[0] = Vector512.Sum(s00); dots[1] = Vector512.Sum(s01); dots[2] = Vector512.Sum(s02);
        dots[3] = Vector512.Sum(s10); dots[4] = Vector512.Sum(s11); dots[5] = Vector512.Sum(s12);
        dots[6] = Vector512.Sum(s20); dots[7] = Vector512.Sum(s21); dots[8] = Vector512.Sum(s22);
        dots[9] = Vector512.Sum(s30); dots[10] = Vector512.Sum(s31); dots[11] = Vector512.Sum(s32);
        Tail(q, p, k, dots);
    }

    /// <summary>Without SIMD a single float chain over a long k loses digits the vector lanes keep, so the fallback sums in double.</summary>
    private static void DotsScalar(in Block q, int k, float* dots)
    {
        float* a0 = q.A0, a1 = q.A1, a2 = q.A2, a3 = q.A3, b0 = q.B0, b1 = q.B1, b2 = q.B2;
        double s00 = 0, s01 = 0, s02 = 0, s10 = 0, s11 = 0, s12 = 0, s20 = 0, s21 = 0, s22 = 0, s30 = 0, s31 = 0, s32 = 0;
        for (int p = 0; p < k; p++)
        {
            double x0 = a0[p], x1 = a1[p], x2 = a2[p], x3 = a3[p], y0 = b0[p], y1 = b1[p], y2 = b2[p];
            s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2;
            s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2;
            s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2;
            s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2;
        }
        dots[0] = (float)s00; dots[1] = (float)s01; dots[2] = (float)s02;
        dots[3] = (float)s10; dots[4] = (float)s11; dots[5] = (float)s12;
        dots[6] = (float)s20; dots[7] = (float)s21; dots[8] = (float)s22;
        dots[9] = (float)s30; dots[10] = (float)s31; dots[11] = (float)s32;
    }

    /// <summary>Adds the products of positions [p, k) to the twelve sums (kept in locals: updating them through the pointer
    /// made every product wait for the previous store).</summary>
    private static void Tail(in Block q, int p, int k, float* dots)
    {
        if (p >= k) return;
        float* a0 = q.A0, a1 = q.A1, a2 = q.A2, a3 = q.A3, b0 = q.B0, b1 = q.B1, b2 = q.B2;
        float d00 = dots[0], d01 = dots[1], d02 = dots[2], d10 = dots[3], d11 = dots[4], d12 = dots[5];
        float d20 = dots[6], d21 = dots[7], d22 = dots[8], d30 = dots[9], d31 = dots[10], d32 = dots[11];
        for (; p < k; p++)
        {
            float x0 = a0[p], x1 = a1[p], x2 = a2[p], x3 = a3[p], y0 = b0[p], y1 = b1[p], y2 = b2[p];
            d00 = MathF.FusedMultiplyAdd(x0, y0, d00); d01 = MathF.FusedMultiplyAdd(x0, y1, d01); d02 = MathF.FusedMultiplyAdd(x0, y2, d02);
            d10 = MathF.FusedMultiplyAdd(x1, y0, d10); d11 = MathF.FusedMultiplyAdd(x1, y1, d11); d12 = MathF.FusedMultiplyAdd(x1, y2, d12);
            d20 = MathF.FusedMultiplyAdd(x2, y0, d20); d21 = MathF.FusedMultiplyAdd(x2, y1, d21); d22 = MathF.FusedMultiplyAdd(x2, y2, d22);
            d30 = MathF.FusedMultiplyAdd(x3, y0, d30); d31 = MathF.FusedMultiplyAdd(x3, y1, d31); d32 = MathF.FusedMultiplyAdd(x3, y2, d32);
        }
        dots[0] = d00; dots[1] = d01; dots[2] = d02; dots[3] = d10; dots[4] = d11; dots[5] = d12;
        dots[6] = d20; dots[7] = d21; dots[8] = d22; dots[9] = d30; dots[10] = d31; dots[11] = d32;
    }
}
