namespace MlPipelines.Engine.Kernels;

/// <summary>Unfolds image patches into matrix columns (im2col) and folds them back with accumulation (col2im).</summary>
internal static class Im2Col
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
        int h = g.InHeight, w = g.InWidth, oh = g.OutHeight, ow = g.OutWidth, plane = oh * ow;
        int row = 0;
        for (int c = 0; c < g.GroupInChannels; c++)
        {
            ReadOnlySpan<float> xc = x.Slice(c * h * w, h * w);
            for (int kh = 0; kh < g.KernelHeight; kh++)
            {
                for (int kw = 0; kw < g.KernelWidth; kw++, row++)
                {
                    Span<float> dst = col.Slice(row * ldCol, plane);
                    int dx = kw * g.DilationW - g.PadLeft;
                    var (owLo, owHi) = ValidColumns(dx, w, ow, g.StrideW);
                    for (int y = 0; y < oh; y++)
                    {
                        Span<float> d = dst.Slice(y * ow, ow);
                        int iy = y * g.StrideH - g.PadTop + kh * g.DilationH;
                        if ((uint)iy >= (uint)h)
                        {
                            d.Clear();
                            continue;
                        }
                        ReadOnlySpan<float> src = xc.Slice(iy * w, w);
                        d[..owLo].Clear();
                        d[owHi..].Clear();
                        if (g.StrideW == 1)
                        {
                            if (owHi > owLo) src.Slice(owLo + dx, owHi - owLo).CopyTo(d.Slice(owLo, owHi - owLo));
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

    /// <summary>The adjoint of <see cref="Unfold"/>: dX[c, iy, ix] += dcol[row, oh * OW + ow] for every patch position that read it.</summary>
    /// <param name="dcol">// [C * KH * KW, ldCol]: columns [0, OH * OW) of each row are read</param>
    /// <param name="g">Geometry (C = GroupInChannels).</param>
    /// <param name="dX">// [C, H, W], accumulated into</param>
    /// <param name="ldCol">Distance between rows of <paramref name="dcol"/>.</param>
    public static void FoldAdd(ReadOnlySpan<float> dcol, in Conv2dGeometry g, Span<float> dX, int ldCol)
    {
        int h = g.InHeight, w = g.InWidth, oh = g.OutHeight, ow = g.OutWidth, plane = oh * ow;
        int row = 0;
        for (int c = 0; c < g.GroupInChannels; c++)
        {
            Span<float> xc = dX.Slice(c * h * w, h * w);
            for (int kh = 0; kh < g.KernelHeight; kh++)
            {
                for (int kw = 0; kw < g.KernelWidth; kw++, row++)
                {
                    ReadOnlySpan<float> src = dcol.Slice(row * ldCol, plane);
                    int dx = kw * g.DilationW - g.PadLeft;
                    var (owLo, owHi) = ValidColumns(dx, w, ow, g.StrideW);
                    for (int y = 0; y < oh; y++)
                    {
                        int iy = y * g.StrideH - g.PadTop + kh * g.DilationH;
                        if ((uint)iy >= (uint)h) continue;
                        Span<float> d = xc.Slice(iy * w, w);
                        ReadOnlySpan<float> s = src.Slice(y * ow, ow);
                        if (g.StrideW == 1)
                        {
                            if (owHi > owLo)
                                System.Numerics.Tensors.TensorPrimitives.Add(d.Slice(owLo + dx, owHi - owLo), s.Slice(owLo, owHi - owLo), d.Slice(owLo + dx, owHi - owLo));
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

    /// <summary>The output columns [lo, hi) whose input column ow * stride + dx lies inside [0, w).</summary>
    private static (int Lo, int Hi) ValidColumns(int dx, int w, int ow, int stride)
    {
        int lo = dx >= 0 ? 0 : Math.Min(ow, (-dx + stride - 1) / stride);
        if (w - 1 - dx < 0) return (lo, lo);
        return (lo, Math.Max(lo, Math.Min(ow, (w - 1 - dx) / stride + 1)));
    }
}
