namespace MlPipelines.Engine.Kernels.Reference;

/// <summary>The plain twin of <see cref="Conv2d"/>: the definition as nested loops, in double.</summary>
internal static class Conv2dReference
{
    /// <summary>y[n, o, i, j] = b[o] + sum over c in o's group, kh, kw of x[n, c, i S - p + kh D, j S - p + kw D] w[o, c', kh, kw].</summary>
    public static double[] Forward(double[] x, double[] w, double[]? bias, Conv2dGeometry g)
    {
        var y = new double[g.OutputLength];
        ForEachTap(g, (n, o, i, j, xi, wi) => y[((n * g.OutChannels + o) * g.OutHeight + i) * g.OutWidth + j] += x[xi] * w[wi]);
        if (bias is not null)
            for (int n = 0; n < g.Batch; n++)
                for (int o = 0; o < g.OutChannels; o++)
                    for (int p = 0; p < g.OutHeight * g.OutWidth; p++) y[(n * g.OutChannels + o) * g.OutHeight * g.OutWidth + p] += bias[o];
        return y;
    }

    /// <summary>Gradient of sum(y * dY) with respect to x.</summary>
    public static double[] BackwardData(double[] dY, double[] w, Conv2dGeometry g)
    {
        var dX = new double[g.InputLength];
        ForEachTap(g, (n, o, i, j, xi, wi) => dX[xi] += dY[((n * g.OutChannels + o) * g.OutHeight + i) * g.OutWidth + j] * w[wi]);
        return dX;
    }

    /// <summary>Gradients of sum(y * dY) with respect to w and the bias.</summary>
    public static (double[] DW, double[] DB) BackwardWeights(double[] x, double[] dY, Conv2dGeometry g)
    {
        var dW = new double[g.WeightLength];
        var dB = new double[g.OutChannels];
        ForEachTap(g, (n, o, i, j, xi, wi) => dW[wi] += dY[((n * g.OutChannels + o) * g.OutHeight + i) * g.OutWidth + j] * x[xi]);
        for (int n = 0; n < g.Batch; n++)
            for (int o = 0; o < g.OutChannels; o++)
                for (int p = 0; p < g.OutHeight * g.OutWidth; p++) dB[o] += dY[(n * g.OutChannels + o) * g.OutHeight * g.OutWidth + p];
        return (dW, dB);
    }

    /// <summary>Visits every (output position, input index, weight index) product of the convolution.</summary>
    private static void ForEachTap(Conv2dGeometry g, Action<int, int, int, int, int, int> tap)
    {
        int cg = g.GroupInChannels, og = g.GroupOutChannels;
        for (int n = 0; n < g.Batch; n++)
            for (int o = 0; o < g.OutChannels; o++)
            {
                int grp = o / og;
                for (int i = 0; i < g.OutHeight; i++)
                    for (int j = 0; j < g.OutWidth; j++)
                        for (int c = 0; c < cg; c++)
                            for (int kh = 0; kh < g.KernelHeight; kh++)
                                for (int kw = 0; kw < g.KernelWidth; kw++)
                                {
                                    int iy = i * g.StrideH - g.PadTop + kh * g.DilationH;
                                    int ix = j * g.StrideW - g.PadLeft + kw * g.DilationW;
                                    if (iy < 0 || iy >= g.InHeight || ix < 0 || ix >= g.InWidth) continue;
                                    int xi = ((n * g.InChannels + grp * cg + c) * g.InHeight + iy) * g.InWidth + ix;
                                    int wi = ((o * cg + c) * g.KernelHeight + kh) * g.KernelWidth + kw;
                                    tap(n, o, i, j, xi, wi);
                                }
            }
    }
}
