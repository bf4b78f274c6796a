using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
    public static void Unfold(ReadOnlySpan<float> x, in Conv2dGeometry g, Span<float> col, int ldCol)
    {
        int h = g.InHeight, w = g.InWidth, oh = g.OutHeight, ow = g.OutWidth, plane = oh * ow, rows = g.PatchSize;
        if (x.Length < g.GroupInChannels * h * w) throw new ArgumentException($"x holds {x.Length} elements; {g.GroupInChannels}x{h}x{w} needed.", nameof(x));
        if (ldCol < plane || (long)(rows - 1) * ldCol + plane > col.Length)
            throw new ArgumentException($"col holds {col.Length} elements; {rows} rows of {plane} at stride {ldCol} needed.", nameof(col));
        fixed (float* px = x, pcol = col)
        {
            int row = 0;
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
                        for (int y = 0; y < oh; y++)
                        {
                            float* d = dst + y * ow;
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
                                if (owHi > owLo) Copy(src + owLo + dx, d + owLo, owHi - owLo);
                            }
                            else
                            {
                                for (int xo = owLo, ix = owLo * g.StrideW + dx; xo < owHi; xo++, ix += g.StrideW) d[xo] = src[ix];
                            }
                        }
                    }
                }
            }
        }
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
                                if (owHi > owLo) AddTo(s + owLo, d + owLo + dx, owHi - owLo);
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(float* s, float* d, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8) Vector256.Store(Vector256.Load(s + i), d + i);
        for (; i < n; i++) d[i] = s[i];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTo(float* s, float* d, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8) Vector256.Store(Vector256.Load(d + i) + Vector256.Load(s + i), d + i);
        for (; i < n; i++) d[i] += s[i];
    }
}
