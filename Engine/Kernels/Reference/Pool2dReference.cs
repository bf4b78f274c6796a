namespace MlPipelines.Engine.Kernels.Reference;

/// <summary>The plain twin of <see cref="Pool2d"/>'s max pooling: every window clipped to the input, scanned in order.</summary>
internal static class Pool2dReference
{
    /// <summary>y = the first NaN of each window, else its first maximum in scan order; argmax = its offset in the plane.</summary>
    public static (float[] Y, int[] Argmax) Max(float[] x, Pool2dGeometry g)
    {
        var y = new float[g.OutputLength];
        var argmax = new int[g.OutputLength];
        int inPlane = g.InHeight * g.InWidth;
        for (int p = 0, o = 0; p < g.Batch * g.Channels; p++)
            for (int oy = 0; oy < g.OutHeight; oy++)
                for (int ox = 0; ox < g.OutWidth; ox++, o++)
                {
                    int chosen = -1;
                    for (int kh = 0; kh < g.KernelHeight; kh++)
                        for (int kw = 0; kw < g.KernelWidth; kw++)
                        {
                            int iy = oy * g.StrideH - g.PadH + kh * g.DilationH, ix = ox * g.StrideW - g.PadW + kw * g.DilationW;
                            if (iy < 0 || iy >= g.InHeight || ix < 0 || ix >= g.InWidth) continue;
                            int at = iy * g.InWidth + ix;
                            float v = x[p * inPlane + at];
                            if (chosen < 0) chosen = at;
                            float best = x[p * inPlane + chosen];
                            if (float.IsNaN(best)) continue;
                            if (float.IsNaN(v) || v > best) chosen = at;
                        }
                    // A window wholly in the padding (possible only with dilation) yields -infinity, as in PyTorch.
                    y[o] = chosen < 0 ? float.NegativeInfinity : x[p * inPlane + chosen];
                    argmax[o] = Math.Max(chosen, 0);
                }
        return (y, argmax);
    }
}
