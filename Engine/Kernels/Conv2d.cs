using System.Buffers;
using System.Numerics.Tensors;
using MlPipelines.Engine.Compute;

namespace MlPipelines.Engine.Kernels;

/// <summary>
/// 2-D convolution (cross-correlation, as every framework computes it) over NCHW tensors by im2col and GEMM;
/// pointwise convolutions skip the unfolding. Images of a batch are split over threads in fixed chunks; weight
/// gradients are summed per chunk and the chunk sums added in chunk order, so a thread count reproduces its bits.
/// </summary>
internal static class Conv2d
{
    /// <summary>y = conv(x, w) + bias.</summary>
    /// <param name="x">// [N, Cin, H, W]</param>
    /// <param name="w">// [Cout, Cin / groups, KH, KW]</param>
    /// <param name="bias">// [Cout], or empty for none</param>
    /// <param name="g">Geometry.</param>
    /// <param name="y">// [N, Cout, OH, OW], overwritten</param>
    /// <param name="threads">Degree of parallelism.</param>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, in Conv2dGeometry g, Span<float> y, int threads = 1)
    {
        Check(x.Length, g.InputLength, "x");
        Check(w.Length, g.WeightLength, "w");
        Check(y.Length, g.OutputLength, "y");
        if (bias.Length != 0) Check(bias.Length, g.OutChannels, "bias");
        var geo = g;
        unsafe
        {
            fixed (float* px = x, pw = w, pb = bias, py = y)
            {
                nint ax = (nint)px, aw = (nint)pw, ab = (nint)pb, ay = (nint)py;
                int biasLength = bias.Length;
                ForImages(g.Batch, threads, (n0, n1) =>
                {
                    var xs = new ReadOnlySpan<float>((float*)ax, geo.InputLength);
                    var ws = new ReadOnlySpan<float>((float*)aw, geo.WeightLength);
                    var bs = new ReadOnlySpan<float>((float*)ab, biasLength);
                    var ys = new Span<float>((float*)ay, geo.OutputLength);
                    ForwardImages(xs, ws, bs, geo, ys, n0, n1);
                });
            }
        }
    }

    /// <summary>dX += conv^T(dY, w): the gradient with respect to the input.</summary>
    /// <param name="dY">// [N, Cout, OH, OW]</param>
    /// <param name="w">// [Cout, Cin / groups, KH, KW]</param>
    /// <param name="g">Geometry.</param>
    /// <param name="dX">// [N, Cin, H, W], accumulated into</param>
    /// <param name="threads">Degree of parallelism.</param>
    public static void BackwardData(ReadOnlySpan<float> dY, ReadOnlySpan<float> w, in Conv2dGeometry g, Span<float> dX, int threads = 1)
    {
        Check(dY.Length, g.OutputLength, "dY");
        Check(w.Length, g.WeightLength, "w");
        Check(dX.Length, g.InputLength, "dX");
        var geo = g;
        unsafe
        {
            fixed (float* pdy = dY, pw = w, pdx = dX)
            {
                nint ady = (nint)pdy, aw = (nint)pw, adx = (nint)pdx;
                ForImages(g.Batch, threads, (n0, n1) =>
                {
                    var dys = new ReadOnlySpan<float>((float*)ady, geo.OutputLength);
                    var ws = new ReadOnlySpan<float>((float*)aw, geo.WeightLength);
                    var dxs = new Span<float>((float*)adx, geo.InputLength);
                    BackwardDataImages(dys, ws, geo, dxs, n0, n1);
                });
            }
        }
    }

    /// <summary>dW += dY (x) unfolded x, dB += sum of dY over N, OH, OW.</summary>
    /// <param name="x">// [N, Cin, H, W]</param>
    /// <param name="dY">// [N, Cout, OH, OW]</param>
    /// <param name="g">Geometry.</param>
    /// <param name="dW">// [Cout, Cin / groups, KH, KW], accumulated into</param>
    /// <param name="dB">// [Cout], accumulated into, or empty</param>
    /// <param name="threads">Degree of parallelism.</param>
    public static void BackwardWeights(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, in Conv2dGeometry g, Span<float> dW, Span<float> dB, int threads = 1)
    {
        Check(x.Length, g.InputLength, "x");
        Check(dY.Length, g.OutputLength, "dY");
        Check(dW.Length, g.WeightLength, "dW");
        if (dB.Length != 0) Check(dB.Length, g.OutChannels, "dB");
        int chunks = DeterministicParallel.ChunkCount(g.Batch, threads, 1);
        if (chunks <= 1)
        {
            BackwardWeightsImages(x, dY, g, dW, dB, 0, g.Batch);
            return;
        }
        int wl = g.WeightLength, bl = dB.Length;
        float[] partial = ArrayPool<float>.Shared.Rent(chunks * (wl + bl));
        try
        {
            Array.Clear(partial, 0, chunks * (wl + bl));
            var geo = g;
            unsafe
            {
                fixed (float* px = x, pdy = dY)
                {
                    nint ax = (nint)px, ady = (nint)pdy;
                    Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks }, c =>
                    {
                        (int n0, int n1) = DeterministicParallel.ChunkRange(geo.Batch, chunks, c);
                        var xs = new ReadOnlySpan<float>((float*)ax, geo.InputLength);
                        var dys = new ReadOnlySpan<float>((float*)ady, geo.OutputLength);
                        BackwardWeightsImages(xs, dys, geo, partial.AsSpan(c * (wl + bl), wl), partial.AsSpan(c * (wl + bl) + wl, bl), n0, n1);
                    });
                }
            }
            for (int c = 0; c < chunks; c++)
            {
                TensorPrimitives.Add(dW, partial.AsSpan(c * (wl + bl), wl), dW);
                if (bl != 0) TensorPrimitives.Add(dB, partial.AsSpan(c * (wl + bl) + wl, bl), dB);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(partial);
        }
    }

    private static void ForImages(int batch, int threads, Action<int, int> body) =>
        DeterministicParallel.For(batch, threads, 1, body);

    private static void ForwardImages(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, in Conv2dGeometry g, Span<float> y, int n0, int n1)
    {
        int inImage = g.InChannels * g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth;
        int cg = g.GroupInChannels, og = g.GroupOutChannels, patch = g.PatchSize;
        float[]? col = g.IsPointwise ? null : ArrayPool<float>.Shared.Rent(patch * outPlane);
        try
        {
            for (int n = n0; n < n1; n++)
            {
                for (int grp = 0; grp < g.Groups; grp++)
                {
                    ReadOnlySpan<float> xg = x.Slice(n * inImage + grp * cg * g.InHeight * g.InWidth, cg * g.InHeight * g.InWidth);
                    ReadOnlySpan<float> cols = xg;
                    if (col is not null)
                    {
                        Im2Col.Unfold(xg, g, col);
                        cols = col.AsSpan(0, patch * outPlane);
                    }
                    Span<float> yg = y.Slice((n * g.OutChannels + grp * og) * outPlane, og * outPlane);
                    Gemm.Sgemm(false, false, og, outPlane, patch, 1, w.Slice(grp * og * patch, og * patch), patch, cols, outPlane, 0, yg, outPlane);
                }
                if (bias.Length != 0)
                    for (int o = 0; o < g.OutChannels; o++)
                    {
                        Span<float> plane = y.Slice((n * g.OutChannels + o) * outPlane, outPlane);
                        TensorPrimitives.Add(plane, bias[o], plane);
                    }
            }
        }
        finally
        {
            if (col is not null) ArrayPool<float>.Shared.Return(col);
        }
    }

    private static void BackwardDataImages(ReadOnlySpan<float> dY, ReadOnlySpan<float> w, in Conv2dGeometry g, Span<float> dX, int n0, int n1)
    {
        int inImage = g.InChannels * g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth, groupIn = g.GroupInChannels * g.InHeight * g.InWidth;
        int og = g.GroupOutChannels, patch = g.PatchSize;
        float[] dcol = ArrayPool<float>.Shared.Rent(patch * outPlane);
        try
        {
            for (int n = n0; n < n1; n++)
            {
                for (int grp = 0; grp < g.Groups; grp++)
                {
                    ReadOnlySpan<float> dyg = dY.Slice((n * g.OutChannels + grp * og) * outPlane, og * outPlane);
                    ReadOnlySpan<float> wg = w.Slice(grp * og * patch, og * patch);
                    Span<float> dxg = dX.Slice(n * inImage + grp * groupIn, groupIn);
                    if (g.IsPointwise)
                    {
                        Gemm.Sgemm(true, false, patch, outPlane, og, 1, wg, patch, dyg, outPlane, 1, dxg, outPlane);
                        continue;
                    }
                    Span<float> dc = dcol.AsSpan(0, patch * outPlane);
                    Gemm.Sgemm(true, false, patch, outPlane, og, 1, wg, patch, dyg, outPlane, 0, dc, outPlane);
                    Im2Col.FoldAdd(dc, g, dxg);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(dcol);
        }
    }

    private static void BackwardWeightsImages(ReadOnlySpan<float> x, ReadOnlySpan<float> dY, in Conv2dGeometry g, Span<float> dW, Span<float> dB, int n0, int n1)
    {
        int inImage = g.InChannels * g.InHeight * g.InWidth, outPlane = g.OutHeight * g.OutWidth, groupIn = g.GroupInChannels * g.InHeight * g.InWidth;
        int og = g.GroupOutChannels, patch = g.PatchSize;
        float[]? col = g.IsPointwise ? null : ArrayPool<float>.Shared.Rent(patch * outPlane);
        try
        {
            for (int n = n0; n < n1; n++)
            {
                for (int grp = 0; grp < g.Groups; grp++)
                {
                    ReadOnlySpan<float> xg = x.Slice(n * inImage + grp * groupIn, groupIn);
                    ReadOnlySpan<float> cols = xg;
                    if (col is not null)
                    {
                        Im2Col.Unfold(xg, g, col);
                        cols = col.AsSpan(0, patch * outPlane);
                    }
                    ReadOnlySpan<float> dyg = dY.Slice((n * g.OutChannels + grp * og) * outPlane, og * outPlane);
                    Gemm.Sgemm(false, true, og, patch, outPlane, 1, dyg, outPlane, cols, outPlane, 1, dW.Slice(grp * og * patch, og * patch), patch);
                }
                if (dB.Length != 0)
                    for (int o = 0; o < g.OutChannels; o++)
                        dB[o] += TensorPrimitives.Sum(dY.Slice((n * g.OutChannels + o) * outPlane, outPlane));
            }
        }
        finally
        {
            if (col is not null) ArrayPool<float>.Shared.Return(col);
        }
    }

    private static void Check(int actual, int expected, string name)
    {
        if (actual != expected) throw new ArgumentException($"{name} holds {actual} elements; the geometry needs {expected}.", name);
    }
}
