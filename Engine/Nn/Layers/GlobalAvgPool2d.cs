using MlPipelines.Engine.Kernels;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>Mean over each channel's plane: [N, C, H, W] to [N, C] (AdaptiveAvgPool2d(1) followed by a flatten).</summary>
public sealed class GlobalAvgPool2d : Module
{
    private sealed class Cache
    {
        public int[] InputShape = [];
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        if (input.Rank != 4) OutputShape(input.Shape.ToArray());
        Tensor y = context.Rent(input.Dim(0), input.Dim(1));
        Pool2d.GlobalAvgForward(input.Span, input.Dim(0) * input.Dim(1), input.Dim(2) * input.Dim(3), y.Span, context.Threads);
        var cache = context.State<Cache>(this);
        if (!input.Shape.SequenceEqual(cache.InputShape)) cache.InputShape = input.Shape.ToArray();
        return y;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        int[] s = context.State<Cache>(this).InputShape;
        Tensor dX = context.RentZeroed(s);
        Pool2d.GlobalAvgBackward(outputGradient.Span, s[0] * s[1], s[2] * s[3], dX.Span);
        return dX;
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape)
    {
        Require(inputShape.Length == 4, $"expects [N, C, H, W] input, got {ShapeText(inputShape)}");
        return [inputShape[0], inputShape[1]];
    }
}
