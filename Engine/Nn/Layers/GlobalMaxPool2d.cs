using MlPipelines.Engine.Kernels;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>Maximum over each channel's plane: [N, C, H, W] to [N, C].</summary>
public sealed class GlobalMaxPool2d : Module
{
    private sealed class Cache
    {
        public int[] InputShape = [];
        public int[] Argmax = [];
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        int[] s = OutputShape(input.Shape.ToArray());
        Tensor y = context.Rent(s);
        var cache = context.State<Cache>(this);
        if (cache.Argmax.Length != s[0] * s[1]) cache.Argmax = new int[s[0] * s[1]];
        Pool2d.GlobalMaxForward(input.Span, s[0] * s[1], input.Dim(2) * input.Dim(3), y.Span, cache.Argmax);
        cache.InputShape = input.Shape.ToArray();
        return y;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        var cache = context.State<Cache>(this);
        int[] s = cache.InputShape;
        Tensor dX = context.RentZeroed(s);
        Pool2d.GlobalMaxBackward(outputGradient.Span, cache.Argmax, s[0] * s[1], s[2] * s[3], dX.Span);
        return dX;
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape)
    {
        Require(inputShape.Length == 4, $"expects [N, C, H, W] input, got {ShapeText(inputShape)}");
        return [inputShape[0], inputShape[1]];
    }
}
