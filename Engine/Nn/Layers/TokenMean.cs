using System.Numerics.Tensors;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>Mean over the tokens of a sequence: [N, L, C] to [N, C] (MLP-Mixer's global average pooling).</summary>
public sealed class TokenMean : Module
{
    private sealed class Cache
    {
        public int[] InputShape = [];
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        int[] s = input.Shape.ToArray();
        Tensor y = context.Rent(OutputShape(s));
        int n = s[0], l = s[1], c = s[2];
        Span<float> ys = y.Span;
        ys.Clear();
        for (int b = 0; b < n; b++)
        {
            Span<float> row = ys.Slice(b * c, c);
            for (int t = 0; t < l; t++) TensorPrimitives.Add(row, input.Span.Slice((b * l + t) * c, c), row);
            TensorPrimitives.Multiply(row, 1f / l, row);
        }
        context.State<Cache>(this).InputShape = s;
        return y;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        int[] s = context.State<Cache>(this).InputShape;
        if (s.Length == 0) throw new InvalidOperationException("TokenMean.Backward without a recorded forward pass.");
        int n = s[0], l = s[1], c = s[2];
        Tensor dX = context.Rent(s);
        for (int b = 0; b < n; b++)
            for (int t = 0; t < l; t++)
                TensorPrimitives.Multiply(outputGradient.Span.Slice(b * c, c), 1f / l, dX.Span.Slice((b * l + t) * c, c));
        return dX;
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape)
    {
        Require(inputShape.Length == 3 && inputShape[1] > 0, $"expects [N, L, C] input, got {ShapeText(inputShape)}");
        return [inputShape[0], inputShape[2]];
    }
}
