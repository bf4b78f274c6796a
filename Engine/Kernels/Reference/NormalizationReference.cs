namespace MlPipelines.Engine.Kernels.Reference;

/// <summary>Plain double twins of batch and layer normalisation, softmax and cross-entropy, from their definitions.</summary>
internal static class NormalizationReference
{
    /// <summary>Batch-norm training output for x [N, C, HW].</summary>
    public static double[] BatchNormTraining(double[] x, double[] gamma, double[] beta, int n, int c, int hw, double eps)
    {
        var y = new double[x.Length];
        for (int ch = 0; ch < c; ch++)
        {
            var values = Enumerable.Range(0, n).SelectMany(i => Enumerable.Range(0, hw).Select(j => x[(i * c + ch) * hw + j])).ToArray();
            double mean = values.Average(), var = values.Select(v => (v - mean) * (v - mean)).Average();
            for (int i = 0; i < n; i++)
                for (int j = 0; j < hw; j++)
                {
                    int k = (i * c + ch) * hw + j;
                    y[k] = gamma[ch] * (x[k] - mean) / Math.Sqrt(var + eps) + beta[ch];
                }
        }
        return y;
    }

    /// <summary>Layer-norm output for x [R, D].</summary>
    public static double[] LayerNorm(double[] x, double[] gamma, double[] beta, int rows, int d, double eps)
    {
        var y = new double[x.Length];
        for (int r = 0; r < rows; r++)
        {
            var row = x.Skip(r * d).Take(d).ToArray();
            double mean = row.Average(), var = row.Select(v => (v - mean) * (v - mean)).Average();
            for (int j = 0; j < d; j++) y[r * d + j] = gamma[j] * (row[j] - mean) / Math.Sqrt(var + eps) + beta[j];
        }
        return y;
    }

    /// <summary>Softmax of each row of x [R, C].</summary>
    public static double[] Softmax(double[] x, int rows, int cols)
    {
        var y = new double[x.Length];
        for (int r = 0; r < rows; r++)
        {
            double sum = 0;
            for (int j = 0; j < cols; j++) sum += Math.Exp(x[r * cols + j]);
            for (int j = 0; j < cols; j++) y[r * cols + j] = Math.Exp(x[r * cols + j]) / sum;
        }
        return y;
    }

    /// <summary>Mean cross-entropy with hard targets, smoothing and weights, as PyTorch defines it.</summary>
    public static double CrossEntropy(double[] logits, int[] targets, double[]? weights, int n, int c, double smoothing)
    {
        double[] p = Softmax(logits, n, c);
        double nll = 0, smooth = 0, norm = 0;
        for (int i = 0; i < n; i++)
        {
            double wt = weights?[targets[i]] ?? 1;
            nll -= wt * Math.Log(p[i * c + targets[i]]);
            norm += wt;
            for (int k = 0; k < c; k++) smooth -= (weights?[k] ?? 1) * Math.Log(p[i * c + k]);
        }
        return (1 - smoothing) * nll / norm + smoothing / c * smooth / norm;
    }

    /// <summary>Mean cross-entropy with soft targets t [N, C].</summary>
    public static double SoftCrossEntropy(double[] logits, double[] targets, int n, int c)
    {
        double[] p = Softmax(logits, n, c);
        double loss = 0;
        for (int i = 0; i < n * c; i++) loss -= targets[i] * Math.Log(p[i]);
        return loss / n;
    }
}
