namespace MlPipelines.Engine.Nn.Layers;

/// <summary>
/// Local response normalisation across channels (Krizhevsky et al. 2012) with PyTorch's convention:
/// y_c = x_c / (k + alpha / n * sum of x_j^2 over j in [c - n/2, c + (n-1)/2] clipped to the channels)^beta.
/// </summary>
public sealed class LocalResponseNorm : Module
{
    private sealed class Cache
    {
        public Tensor? Input;
        public float[] Scale = [];
    }

    /// <summary>Creates the layer over windows of <paramref name="size"/> channels.</summary>
    public LocalResponseNorm(int size, float alpha = 1e-4f, float beta = 0.75f, float k = 1f)
    {
        Require(size > 0 && k > 0 && beta >= 0, "size and k must be positive and beta non-negative");
        (Size, Alpha, Beta, K) = (size, alpha, beta, k);
    }

    public int Size { get; }
    public float Alpha { get; }
    public float Beta { get; }
    public float K { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        int[] shape = OutputShape(input.Shape.ToArray());
        int n = shape[0], c = shape[1], hw = shape[2] * shape[3];
        var cache = context.State<Cache>(this);
        if (cache.Scale.Length != input.Length) cache.Scale = new float[input.Length];
        float[] s = cache.Scale;
        ReadOnlySpan<float> x = input.Span;
        Tensor y = context.Rent(shape);
        Span<float> ys = y.Span;
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
            {
                int lo = Math.Max(0, ch - Size / 2), hi = Math.Min(c - 1, ch + (Size - 1) / 2);
                int o = (b * c + ch) * hw;
                for (int p = 0; p < hw; p++)
                {
                    float sum = 0;
                    for (int j = lo; j <= hi; j++)
                    {
                        float v = x[(b * c + j) * hw + p];
                        sum += v * v;
                    }
                    float scale = K + Alpha / Size * sum;
                    s[o + p] = scale;
                    ys[o + p] = x[o + p] * MathF.Pow(scale, -Beta);
                }
            }
        cache.Input = context.RecordForBackward ? input : null;
        return y;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        var cache = context.State<Cache>(this);
        Tensor input = cache.Input ?? throw new InvalidOperationException("LocalResponseNorm.Backward without a recorded forward pass.");
        int n = input.Dim(0), c = input.Dim(1), hw = input.Dim(2) * input.Dim(3);
        ReadOnlySpan<float> x = input.Span, dy = outputGradient.Span, s = cache.Scale;
        Tensor dX = context.Rent(input.Shape);
        Span<float> dx = dX.Span;
        float factor = -2 * Beta * Alpha / Size;
        for (int b = 0; b < n; b++)
            for (int jc = 0; jc < c; jc++)
            {
                // Channel jc appears in the windows of channels c' with c' - n/2 <= jc <= c' + (n-1)/2.
                int lo = Math.Max(0, jc - (Size - 1) / 2), hi = Math.Min(c - 1, jc + Size / 2);
                int o = (b * c + jc) * hw;
                for (int p = 0; p < hw; p++)
                {
                    double acc = 0;
                    for (int cc = lo; cc <= hi; cc++)
                    {
                        int q = (b * c + cc) * hw + p;
                        acc += dy[q] * x[q] * MathF.Pow(s[q], -Beta - 1);
                    }
                    dx[o + p] = dy[o + p] * MathF.Pow(s[o + p], -Beta) + (float)(factor * x[o + p] * acc);
                }
            }
        return dX;
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape)
    {
        Require(inputShape.Length == 4, $"expects [N, C, H, W] input, got {ShapeText(inputShape)}");
        return inputShape;
    }
}
