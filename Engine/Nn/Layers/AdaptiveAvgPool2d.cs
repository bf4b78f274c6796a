namespace MlPipelines.Engine.Nn.Layers;

/// <summary>
/// Average pooling to a fixed output size (PyTorch's AdaptiveAvgPool2d): output cell (i, j) averages input rows
/// floor(i H / oh) .. ceil((i + 1) H / oh) - 1 and the same for columns, so bins may overlap or repeat when the input is smaller.
/// </summary>
public sealed class AdaptiveAvgPool2d : Module
{
    private sealed class Cache
    {
        public int[] InputShape = [];
    }

    /// <summary>Creates the layer with output <paramref name="outputHeight"/> x <paramref name="outputWidth"/>.</summary>
    public AdaptiveAvgPool2d(int outputHeight, int outputWidth)
    {
        Require(outputHeight > 0 && outputWidth > 0, "output size must be positive");
        (OutputHeight, OutputWidth) = (outputHeight, outputWidth);
    }

    /// <summary>Creates the layer with a square output.</summary>
    public AdaptiveAvgPool2d(int outputSize) : this(outputSize, outputSize)
    {
    }

    public int OutputHeight { get; }
    public int OutputWidth { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        int[] s = input.Shape.ToArray();
        Tensor y = context.Rent(OutputShape(s));
        int h = s[2], w = s[3], planes = s[0] * s[1];
        ReadOnlySpan<float> x = input.Span;
        Span<float> ys = y.Span;
        for (int p = 0; p < planes; p++)
        {
            ReadOnlySpan<float> plane = x.Slice(p * h * w, h * w);
            for (int i = 0; i < OutputHeight; i++)
            {
                var (r0, r1) = Bin(i, h, OutputHeight);
                for (int j = 0; j < OutputWidth; j++)
                {
                    var (c0, c1) = Bin(j, w, OutputWidth);
                    float sum = 0;
                    for (int r = r0; r < r1; r++)
                        for (int c = c0; c < c1; c++) sum += plane[r * w + c];
                    ys[(p * OutputHeight + i) * OutputWidth + j] = sum / ((r1 - r0) * (c1 - c0));
                }
            }
        }
        context.State<Cache>(this).InputShape = s;
        return y;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        int[] s = context.State<Cache>(this).InputShape;
        Tensor dX = context.RentZeroed(s);
        int h = s[2], w = s[3], planes = s[0] * s[1];
        ReadOnlySpan<float> dy = outputGradient.Span;
        Span<float> dx = dX.Span;
        for (int p = 0; p < planes; p++)
        {
            Span<float> plane = dx.Slice(p * h * w, h * w);
            for (int i = 0; i < OutputHeight; i++)
            {
                var (r0, r1) = Bin(i, h, OutputHeight);
                for (int j = 0; j < OutputWidth; j++)
                {
                    var (c0, c1) = Bin(j, w, OutputWidth);
                    float share = dy[(p * OutputHeight + i) * OutputWidth + j] / ((r1 - r0) * (c1 - c0));
                    for (int r = r0; r < r1; r++)
                        for (int c = c0; c < c1; c++) plane[r * w + c] += share;
                }
            }
        }
        return dX;
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape)
    {
        Require(inputShape.Length == 4 && inputShape[2] > 0 && inputShape[3] > 0, $"expects [N, C, H, W] input, got {ShapeText(inputShape)}");
        return [inputShape[0], inputShape[1], OutputHeight, OutputWidth];
    }

    /// <summary>The input range [start, end) of output index <paramref name="i"/> (PyTorch's start_index / end_index).</summary>
    private static (int Start, int End) Bin(int i, int inSize, int outSize) =>
        ((int)((long)i * inSize / outSize), (int)(((long)(i + 1) * inSize + outSize - 1) / outSize));
}
