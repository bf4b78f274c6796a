using DropoutKernel = MlPipelines.Engine.Kernels.Dropout;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>Inverted dropout in training (mask drawn from the step's random stream); identity in evaluation.</summary>
public sealed class Dropout : Module
{
    private sealed class Cache
    {
        public Tensor? Mask;
    }

    /// <summary>Creates the layer with drop probability <paramref name="probability"/>.</summary>
    public Dropout(float probability = 0.5f)
    {
        Require(probability is >= 0 and < 1, $"probability must lie in [0, 1), got {probability}");
        Probability = probability;
    }

    /// <summary>Probability of zeroing each value.</summary>
    public float Probability { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        var cache = context.State<Cache>(this);
        if (!IsTraining || Probability == 0)
        {
            cache.Mask = null;
            return input;
        }
        Tensor y = context.Rent(input.Shape);
        Tensor mask = context.Rent(input.Shape);
        DropoutKernel.Forward(input.Span, Probability, context.Random, y.Span, mask.Span);
        cache.Mask = mask;
        return y;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        Tensor? mask = context.State<Cache>(this).Mask;
        if (mask is null) return outputGradient;
        Tensor dX = context.RentZeroed(outputGradient.Shape);
        DropoutKernel.Backward(outputGradient.Span, mask.Span, dX.Span);
        return dX;
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape) => inputShape;
}
