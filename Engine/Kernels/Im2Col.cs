using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MlPipelines.Engine.Kernels;

/// <summary>
/// Unfolds image patches into matrix columns (im2col) and folds them back with accumulation (col2im). Rows of small maps
/// (7 or 14 pixels) are too short for a memmove call to pay off, so rows are copied and added with inline vector loops.
/// </summary>
internal static unsafe class Im2Col
{
    /// <summary>
    /// col[(c * KH + kh) * KW + kw, oh * OW + ow] = x[c, oh * S - pad + kh * D, ow * S - pad + kw * D], zero outside.
    /// </summary>
    /// <param name="x">// [C, H, W] channels of one group of one image</param>
    /// <param name="g">Geometry (C = GroupInChannels).</param>
    /// <param name="col">// [C * KH * KW, ldCol]: columns [0, OH * OW) of each row are written</param>
    /// <param name="ldCol">Distance between rows of <paramref name="col"/> (OH * OW, or more when several images share the matrix).</param>
    public static void Unfold(ReadOnlySpan<float> x, in Conv2dGeometry g, Span<float> col, int ldCol) => UnfoldRows(x, g, col, ldCol, 0, g.OutHeight);

    /// <summary>
    /// <see cref="Unfold"/> for output rows [<paramref name="oy0"/>, <paramref name="oy1"/>) only: a band of the unfolded
    /// matrix, its columns starting at output row oy0 (a large map's matrix a band at a time stays in cache).
    /// </summary>
    public static void UnfoldRows(ReadOnlySpan<float> x, in Conv2dGeometry g, Span<float> col, int ldCol, int oy0, int oy1)
    {
        int h = g.InHeight, w = g.InWidth, oh = g.OutHeight, ow = g.OutWidth, plane = (oy1 - oy0) * ow, rows = g.PatchSize;
        if (oy0 < 0 || oy1 > oh || oy0 >= oy1) throw new ArgumentOutOfRangeException(nameof(oy0), $"Output rows [{oy0}, {oy1}) are not a band of 0..{oh}.");
        if (x.Length < g.GroupInChannels * h * w) throw new ArgumentException($"x holds {x.Length} elements; {g.GroupInChannels}x{h}x{w} needed.", nameof(x));
        if (ldCol < plane || (long)(rows - 1) * ldCol + plane > col.Length)
            throw new ArgumentException($"col holds {col.Length} elements; {rows} rows of {plane} at stride {ldCol} needed.", nameof(col));
        fixed (float* px = x, pcol = col)
        {
            if (Avx2.IsSupported && (ow < 16 || g.StrideW != 1) && (long)g.KernelHeight * g.KernelWidth * oh * ow <= MaxTapTable)
            {
                UnfoldGathered(px, g, pcol, ldCol, oy0, oy1);
                return;
            }
            int row = 0;
            float* xEnd = px + x.Length;
            for (int c = 0; c < g.GroupInChannels; c++)
            {
                float* xc = px + (long)c * h * w;
                for (int kh = 0; kh < g.KernelHeight; kh++)
                {
                    for (int kw = 0; kw < g.KernelWidth; kw++, row++)
                    {
                        float* dst = pcol + (long)row * ldCol;
                        int dx = kw * g.DilationW - g.PadLeft;
                        var (owLo, owHi) = ValidColumns(dx, w, ow, g.StrideW);
                        for (int y = oy0; y < oy1; y++)
                        {
                            float* d = dst + (y - oy0) * ow;
                            int iy = y * g.StrideH - g.PadTop + kh * g.DilationH;
                            if ((uint)iy >= (uint)h)
                            {
                                Zero(d, ow);
                                continue;
                            }
                            float* src = xc + iy * w;
                            Zero(d, owLo);
                            Zero(d + owHi, ow - owHi);
                            if (g.StrideW == 1)
                            {
                                if (owHi > owLo) ShortRows.Copy(src + owLo + dx, d + owLo, owHi - owLo);
                            }
                            else
                            {
                                int xo = owLo, ix = owLo * g.StrideW + dx;
                                // Stride 2 (a large map's stem): the even floats of two (AVX2: one) vectors at a time. The last
                                // odd float read may lie past the row, never past x.
                                if (g.StrideW == 2 && Avx512F.IsSupported)
                                    for (; xo + 16 <= owHi && src + ix + 32 <= xEnd; xo += 16, ix += 32) StridedLoad.Sixteen(src + ix, 2).Store(d + xo);
                                else if (g.StrideW == 2 && Avx2.IsSupported)
                                    for (; xo + 8 <= owHi && src + ix + 16 <= xEnd; xo += 8, ix += 16) StridedLoad.Eight(src + ix, 2).Store(d + xo);
                                for (; xo < owHi; xo++, ix += g.StrideW) d[xo] = src[ix];
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// <see cref="Unfold"/> for short output rows (small maps) and strided windows, where the row-by-row copy spent more on
    /// each row's bounds and calls than on its few floats (about 5 cycles an element on ResNet-18's 8x8 to 2x2 stages): every
    /// unfolded row is one gather through a table of source offsets per kernel tap (-1 for padding, read as zero), eight
    /// lanes at a time. The table depends only on the geometry and is kept per thread for the next call.
    /// </summary>
    private static void UnfoldGathered(float* px, in Conv2dGeometry g, float* pcol, int ldCol, int oy0, int oy1)
    {
        int plane = g.OutHeight * g.OutWidth, taps = g.KernelHeight * g.KernelWidth, inPlane = g.InHeight * g.InWidth;
        int first = oy0 * g.OutWidth, columns = (oy1 - oy0) * g.OutWidth;
        int[] table = TapTable(g);
        fixed (int* pt = table)
        {
            for (int c = 0; c < g.GroupInChannels; c++)
            {
                float* xc = px + (long)c * inPlane;
                // Rows side by side (one image's whole matrix): a channel's taps are one run of the table, however small the map.
                if (ldCol == plane && columns == plane)
                {
                    Gather(xc, pt, pcol + (long)c * taps * plane, taps * plane);
                    continue;
                }
                // A band of output rows (a thread's share of a batch-1 layer): each tap's run of the table from its first row.
                for (int t = 0; t < taps; t++) Gather(xc, pt + t * plane + first, pcol + (long)(c * taps + t) * ldCol, columns);
            }
        }
    }

    /// <summary>dst[p] = src[idx[p]], or 0 where idx[p] is negative, for p in [0, n).</summary>
    private static void Gather(float* src, int* idx, float* dst, int n)
    {
        int p = 0;
        for (; p + 8 <= n; p += 8)
        {
            Vector256<int> at = Vector256.Load(idx + p);
            Vector256<float> inside = Vector256.GreaterThanOrEqual(at, Vector256<int>.Zero).AsSingle();
            Avx2.GatherMaskVector256(Vector256<float>.Zero, src, at, inside, sizeof(float)).Store(dst + p);
        }
        for (; p < n; p++) dst[p] = idx[p] >= 0 ? src[idx[p]] : 0;
    }

    /// <summary>The largest tap table kept (entries): maps larger than this (a 224x224 stem) take the row-by-row copy.</summary>
    private const int MaxTapTable = 1 << 16;

    /// <summary>A thread's tap tables by window geometry: a network's few geometries, so warm passes allocate nothing.</summary>
    [ThreadStatic] private static Dictionary<Conv2dGeometry, int[]>? t_tapTables;

    /// <summary>table[t * OH * OW + p] = the offset in a channel's plane that tap t reads for output position p, or -1 for padding.</summary>
    private static int[] TapTable(in Conv2dGeometry g)
    {
        // Only the window's geometry matters: batch and channel counts are set to 1 in the key.
        var key = new Conv2dGeometry(1, 1, g.InHeight, g.InWidth, 1, g.KernelHeight, g.KernelWidth, g.StrideH, g.StrideW,
            g.PadTop, g.PadLeft, g.PadBottom, g.PadRight, g.DilationH, g.DilationW);
        var tables = t_tapTables ??= [];
        if (tables.TryGetValue(key, out int[]? cached)) return cached;
        if (tables.Count >= 64) tables.Clear();
        int oh = g.OutHeight, ow = g.OutWidth, plane = oh * ow;
        var table = new int[g.KernelHeight * g.KernelWidth * plane];
        for (int kh = 0, i = 0; kh < g.KernelHeight; kh++)
            for (int kw = 0; kw < g.KernelWidth; kw++)
                for (int y = 0; y < oh; y++)
                    for (int x = 0; x < ow; x++, i++)
                    {
                        int iy = y * g.StrideH - g.PadTop + kh * g.DilationH, ix = x * g.StrideW - g.PadLeft + kw * g.DilationW;
                        table[i] = (uint)iy < (uint)g.InHeight && (uint)ix < (uint)g.InWidth ? iy * g.InWidth + ix : -1;
                    }
        tables[key] = table;
        return table;
    }

    /// <summary>The adjoint of <see cref="Unfold"/>: dX[c, iy, ix] += dcol[row, oh * OW + ow] for every patch position that read it.</summary>
    /// <param name="dcol">// [C * KH * KW, ldCol]: columns [0, OH * OW) of each row are read</param>
    /// <param name="g">Geometry (C = GroupInChannels).</param>
    /// <param name="dX">// [C, H, W], accumulated into</param>
    /// <param name="ldCol">Distance between rows of <paramref name="dcol"/>.</param>
    public static void FoldAdd(ReadOnlySpan<float> dcol, in Conv2dGeometry g, Span<float> dX, int ldCol)
    {
        int h = g.InHeight, w = g.InWidth, oh = g.OutHeight, ow = g.OutWidth, plane = oh * ow, rows = g.PatchSize;
        if (dX.Length < g.GroupInChannels * h * w) throw new ArgumentException($"dX holds {dX.Length} elements; {g.GroupInChannels}x{h}x{w} needed.", nameof(dX));
        if (ldCol < plane || (long)(rows - 1) * ldCol + plane > dcol.Length)
            throw new ArgumentException($"dcol holds {dcol.Length} elements; {rows} rows of {plane} at stride {ldCol} needed.", nameof(dcol));
        fixed (float* pcol = dcol, pdx = dX)
        {
            int row = 0;
            for (int c = 0; c < g.GroupInChannels; c++)
            {
                float* xc = pdx + (long)c * h * w;
                for (int kh = 0; kh < g.KernelHeight; kh++)
                {
                    for (int kw = 0; kw < g.KernelWidth; kw++, row++)
                    {
                        float* src = pcol + (long)row * ldCol;
                        int dx = kw * g.DilationW - g.PadLeft;
                        var (owLo, owHi) = ValidColumns(dx, w, ow, g.StrideW);
                        for (int y = 0; y < oh; y++)
                        {
                            int iy = y * g.StrideH - g.PadTop + kh * g.DilationH;
                            if ((uint)iy >= (uint)h) continue;
                            float* d = xc + iy * w;
                            float* s = src + y * ow;
                            if (g.StrideW == 1)
                            {
                                if (owHi > owLo) ShortRows.AddTo(s + owLo, d + owLo + dx, owHi - owLo);
                            }
                            else
                            {
                                for (int xo = owLo, ix = owLo * g.StrideW + dx; xo < owHi; xo++, ix += g.StrideW) d[ix] += s[xo];
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>The output columns [lo, hi) whose input column ow * stride + dx lies inside [0, w).</summary>
    private static (int Lo, int Hi) ValidColumns(int dx, int w, int ow, int stride)
    {
        int lo = dx >= 0 ? 0 : Math.Min(ow, (-dx + stride - 1) / stride);
        if (w - 1 - dx < 0) return (lo, lo);
        return (lo, Math.Max(lo, Math.Min(ow, (w - 1 - dx) / stride + 1)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Zero(float* d, int n)
    {
        for (int i = 0; i < n; i++) d[i] = 0;
    }
}
