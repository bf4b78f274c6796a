using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MlPipelines.Engine.Kernels;

/// <summary>
/// C[m, n] += A[m, k] B[n, k]^T for few rows and columns and a long k, as convolution weight gradients have
/// (output channels x patch size, summed over every output pixel): each element of C is the dot product of a row of A
/// and a row of B, both contiguous, so nothing is packed or transposed. A 4x3 block of dot products (6x4 with AVX-512's
/// 32 registers) shares its loads; each keeps vector partial sums over k, reduced in a fixed lane order, so results are
/// reproducible, and a dot product's bits do not depend on the block it was computed in.
/// </summary>
internal static unsafe class RowDot
{
    /// <summary>Rows of A (and C) per block: four, so a block's twelve vector sums, three B rows and one A row fill AVX2's
    /// sixteen registers. (A 3x3 block ran at 45-68 GFLOP/s on ResNet-20's weight gradients, 4x3 at 61-84: a third fewer
    /// loads per multiply-add, and whole blocks for 16, 32 and 64 output channels.)</summary>
    private const int Rows = 4;

    /// <summary>Rows of A per block with AVX-512: six, whose 24 sums with four B rows and an A row fill 29 of the 32 registers;
    /// each B load (shifted input views, mostly split across cache lines) then serves six multiply-adds instead of four.</summary>
    private static int BlockRows => Vector512.IsHardwareAccelerated ? 6 : Rows;

    /// <summary>The most rows any block has.</summary>
    private const int MaxRows = 6;

    /// <summary>Rows of B (columns of C) per block: three, a 3x3 kernel's taps along one kernel row; four with AVX-512 (see
    /// <see cref="BlockRows"/>).</summary>
    private static int Cols => Vector512.IsHardwareAccelerated ? 4 : 3;

    /// <summary>The most columns any block has (the size of a block's scratch).</summary>
    private const int MaxCols = 4;

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
        int blockCols = Cols;
        int blockRows = BlockRows;
        // Room for the reduction of rows 4 and 5 (a whole vector of sums, half of them padding).
        float* dots = stackalloc float[(MaxRows + 2) * MaxCols];
        for (int i = 0; i < m; i += blockRows)
        {
            int rows = Math.Min(blockRows, m - i);
            float* a0 = pa + (long)i * lda;
            // A ragged block repeats its last row or column (read, never stored), so one kernel serves every block.
            float* a1 = rows > 1 ? a0 + lda : a0, a2 = rows > 2 ? a0 + 2L * lda : a1, a3 = rows > 3 ? a0 + 3L * lda : a2;
            float* a4 = rows > 4 ? a0 + 4L * lda : a3, a5 = rows > 5 ? a0 + 5L * lda : a4;
            for (int j = 0; j < n; j += blockCols)
            {
                int cols = Math.Min(blockCols, n - j);
                float* b0 = RowB(pb, ldb, offsets, j);
                float* b1 = cols > 1 ? RowB(pb, ldb, offsets, j + 1) : b0, b2 = cols > 2 ? RowB(pb, ldb, offsets, j + 2) : b1;
                float* b3 = cols > 3 ? RowB(pb, ldb, offsets, j + 3) : b2;
                var block = new Block(a0, a1, a2, a3, a4, a5, b0, b1, b2, b3);
                if (Vector512.IsHardwareAccelerated) Dots512(block, k, dots);
                else if (Vector256.IsHardwareAccelerated) Dots256(block, k, dots);
                else DotsScalar(block, k, dots);
                for (int r = 0; r < rows; r++)
                    for (int s = 0; s < cols; s++) pc[(long)(i + r) * ldc + j + s] += dots[r * blockCols + s];
            }
        }
    }

    private static float* RowB(float* b, int ldb, int* offsets, int j) => offsets is null ? b + (long)j * ldb : b + offsets[j];

    /// <summary>The rows of A (four; six with AVX-512) and of B (three; four with AVX-512) one block of dot products reads.</summary>
    private readonly struct Block(float* a0, float* a1, float* a2, float* a3, float* a4, float* a5, float* b0, float* b1, float* b2, float* b3)
    {
        public readonly float* A0 = a0, A1 = a1, A2 = a2, A3 = a3, A4 = a4, A5 = a5, B0 = b0, B1 = b1, B2 = b2, B3 = b3;
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
        if (p < k) Tail(q, p, k, dots, 3);
    }

    /// <summary>The 6x4 block: 24 sums stored row by row, four to a row of <paramref name="dots"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dots512(in Block q, int k, float* dots)
    {
        float* a0 = q.A0, a1 = q.A1, a2 = q.A2, a3 = q.A3, a4 = q.A4, a5 = q.A5, b0 = q.B0, b1 = q.B1, b2 = q.B2, b3 = q.B3;
        Vector512<float> s00 = default, s01 = default, s02 = default, s03 = default, s10 = default, s11 = default, s12 = default, s13 = default;
        Vector512<float> s20 = default, s21 = default, s22 = default, s23 = default, s30 = default, s31 = default, s32 = default, s33 = default;
        Vector512<float> s40 = default, s41 = default, s42 = default, s43 = default, s50 = default, s51 = default, s52 = default, s53 = default;
        int p = 0;
        for (; p <= k - 16; p += 16)
        {
            Vector512<float> y0 = Vector512.Load(b0 + p), y1 = Vector512.Load(b1 + p), y2 = Vector512.Load(b2 + p), y3 = Vector512.Load(b3 + p);
            Vector512<float> x = Vector512.Load(a0 + p);
            s00 = Vector512.FusedMultiplyAdd(x, y0, s00); s01 = Vector512.FusedMultiplyAdd(x, y1, s01);
            s02 = Vector512.FusedMultiplyAdd(x, y2, s02); s03 = Vector512.FusedMultiplyAdd(x, y3, s03);
            x = Vector512.Load(a1 + p);
            s10 = Vector512.FusedMultiplyAdd(x, y0, s10); s11 = Vector512.FusedMultiplyAdd(x, y1, s11);
            s12 = Vector512.FusedMultiplyAdd(x, y2, s12); s13 = Vector512.FusedMultiplyAdd(x, y3, s13);
            x = Vector512.Load(a2 + p);
            s20 = Vector512.FusedMultiplyAdd(x, y0, s20); s21 = Vector512.FusedMultiplyAdd(x, y1, s21);
            s22 = Vector512.FusedMultiplyAdd(x, y2, s22); s23 = Vector512.FusedMultiplyAdd(x, y3, s23);
            x = Vector512.Load(a3 + p);
            s30 = Vector512.FusedMultiplyAdd(x, y0, s30); s31 = Vector512.FusedMultiplyAdd(x, y1, s31);
            s32 = Vector512.FusedMultiplyAdd(x, y2, s32); s33 = Vector512.FusedMultiplyAdd(x, y3, s33);
            x = Vector512.Load(a4 + p);
            s40 = Vector512.FusedMultiplyAdd(x, y0, s40); s41 = Vector512.FusedMultiplyAdd(x, y1, s41);
            s42 = Vector512.FusedMultiplyAdd(x, y2, s42); s43 = Vector512.FusedMultiplyAdd(x, y3, s43);
            x = Vector512.Load(a5 + p);
            s50 = Vector512.FusedMultiplyAdd(x, y0, s50); s51 = Vector512.FusedMultiplyAdd(x, y1, s51);
            s52 = Vector512.FusedMultiplyAdd(x, y2, s52); s53 = Vector512.FusedMultiplyAdd(x, y3, s53);
        }
        SumEach(s00, s10, s20, s30, s01, s11, s21, s31, s02, s12, s22, s32, s03, s13, s23, s33).Store(dots);
        // Rows 4 and 5 in the first half of the next vector (zeros fill the reduction's other rows).
        Vector512<float> z = default;
        SumEach(s40, s50, z, z, s41, s51, z, z, s42, s52, z, z, s43, s53, z, z).Store(dots + 16);
        if (p < k)
        {
            Tail(q, p, k, dots, 4);
            for (int r = 4; r < 6; r++)
            {
                float* a = r == 4 ? a4 : a5;
                for (int c = 0; c < 4; c++)
                {
                    float* b = c == 0 ? b0 : c == 1 ? b1 : c == 2 ? b2 : b3;
                    float d = dots[4 * r + c];
                    for (int i = p; i < k; i++) d = MathF.FusedMultiplyAdd(a[i], b[i], d);
                    dots[4 * r + c] = d;
                }
            }
        }
    }

    /// <summary>
    /// The sixteen lane sums of v0..v15 in one vector: element 4r + s is the sum of v[4s + r] (so accumulators passed column
    /// by column come out row by row). Four rounds of shuffles and adds, each halving the vectors: with one horizontal sum
    /// per accumulator the reductions were a fifth of a block whose rows were under a thousand floats long.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> SumEach(
        Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3, Vector512<float> v4, Vector512<float> v5, Vector512<float> v6, Vector512<float> v7,
        Vector512<float> v8, Vector512<float> v9, Vector512<float> v10, Vector512<float> v11, Vector512<float> v12, Vector512<float> v13, Vector512<float> v14, Vector512<float> v15)
    {
        // Round 1: quarters 0+2 and 1+3 of a, then of b: [a | a | b | b] with eight partial sums each.
        static Vector512<float> Halve(Vector512<float> a, Vector512<float> b) => Avx512F.Shuffle4x128(a, b, 0x44) + Avx512F.Shuffle4x128(a, b, 0xEE);
        // Round 2: [a a b b] and [c c d d] to [a b c d], four partial sums a quarter.
        static Vector512<float> Quarter(Vector512<float> x, Vector512<float> y) => Avx512F.Shuffle4x128(x, y, 0x88) + Avx512F.Shuffle4x128(x, y, 0xDD);
        // Rounds 3 and 4 within each quarter: pairs of elements, then single elements.
        static Vector512<float> Pairs(Vector512<float> x, Vector512<float> y) => Avx512F.Shuffle(x, y, 0x44) + Avx512F.Shuffle(x, y, 0xEE);
        static Vector512<float> Singles(Vector512<float> x, Vector512<float> y) => Avx512F.Shuffle(x, y, 0x88) + Avx512F.Shuffle(x, y, 0xDD);
        Vector512<float> q0 = Quarter(Halve(v0, v1), Halve(v2, v3)), q1 = Quarter(Halve(v4, v5), Halve(v6, v7));
        Vector512<float> q2 = Quarter(Halve(v8, v9), Halve(v10, v11)), q3 = Quarter(Halve(v12, v13), Halve(v14, v15));
        // Quarter L of q_j holds v[4j + L]; pairs interleave q0 with q1 and q2 with q3, singles then order them 0, 4, 8, 12.
        return Singles(Pairs(q0, q1), Pairs(q2, q3));
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

    /// <summary>
    /// Adds the products of positions [p, k) to a block's sums, <paramref name="cols"/> to a row of <paramref name="dots"/>
    /// (each sum kept in a local over the loop: updating them through the pointer made every product wait for the previous
    /// store). A three-column block's fourth B row is its third again, summed and dropped.
    /// </summary>
    private static void Tail(in Block q, int p, int k, float* dots, int cols)
    {
        float* a0 = q.A0, a1 = q.A1, a2 = q.A2, a3 = q.A3, b0 = q.B0, b1 = q.B1, b2 = q.B2, b3 = q.B3;
        int r1 = cols, r2 = 2 * cols, r3 = 3 * cols;
        float d00 = dots[0], d01 = dots[1], d02 = dots[2], d03 = cols > 3 ? dots[3] : 0;
        float d10 = dots[r1], d11 = dots[r1 + 1], d12 = dots[r1 + 2], d13 = cols > 3 ? dots[r1 + 3] : 0;
        float d20 = dots[r2], d21 = dots[r2 + 1], d22 = dots[r2 + 2], d23 = cols > 3 ? dots[r2 + 3] : 0;
        float d30 = dots[r3], d31 = dots[r3 + 1], d32 = dots[r3 + 2], d33 = cols > 3 ? dots[r3 + 3] : 0;
        for (; p < k; p++)
        {
            float x0 = a0[p], x1 = a1[p], x2 = a2[p], x3 = a3[p], y0 = b0[p], y1 = b1[p], y2 = b2[p], y3 = b3[p];
            d00 = MathF.FusedMultiplyAdd(x0, y0, d00); d01 = MathF.FusedMultiplyAdd(x0, y1, d01); d02 = MathF.FusedMultiplyAdd(x0, y2, d02); d03 = MathF.FusedMultiplyAdd(x0, y3, d03);
            d10 = MathF.FusedMultiplyAdd(x1, y0, d10); d11 = MathF.FusedMultiplyAdd(x1, y1, d11); d12 = MathF.FusedMultiplyAdd(x1, y2, d12); d13 = MathF.FusedMultiplyAdd(x1, y3, d13);
            d20 = MathF.FusedMultiplyAdd(x2, y0, d20); d21 = MathF.FusedMultiplyAdd(x2, y1, d21); d22 = MathF.FusedMultiplyAdd(x2, y2, d22); d23 = MathF.FusedMultiplyAdd(x2, y3, d23);
            d30 = MathF.FusedMultiplyAdd(x3, y0, d30); d31 = MathF.FusedMultiplyAdd(x3, y1, d31); d32 = MathF.FusedMultiplyAdd(x3, y2, d32); d33 = MathF.FusedMultiplyAdd(x3, y3, d33);
        }
        dots[0] = d00; dots[1] = d01; dots[2] = d02; dots[r1] = d10; dots[r1 + 1] = d11; dots[r1 + 2] = d12;
        dots[r2] = d20; dots[r2 + 1] = d21; dots[r2 + 2] = d22; dots[r3] = d30; dots[r3 + 1] = d31; dots[r3 + 2] = d32;
        if (cols > 3)
        {
            dots[3] = d03; dots[r1 + 3] = d13; dots[r2 + 3] = d23; dots[r3 + 3] = d33;
        }
    }
}
