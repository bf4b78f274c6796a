namespace MlPipelines.Engine.Nn.Layers;

/// <summary>
/// Stochastic depth (Huang et al. 2016) in torchvision's "row" mode: in training each sample of the batch is zeroed with
/// probability <see cref="Probability"/> and the survivors are scaled by 1 / (1 - p); identity in evaluation. The masks
/// come from the step's random stream.
/// </summary>
public sealed class StochasticDepth : Module
{
    private sealed class Cache
    {
        public float[]? Scale;
    }

    /// <summary>Creates the layer with drop probability <paramref name="probability"/>.</summary>
    public StochasticDepth(float probability)
    {
        Require(probability is >= 0 and < 1, $"probability must lie in [0, 1), got {probability}");
        Probability = probability;
    }

    /// <summary>Probability of dropping a sample's branch.</summary>
    public float Probability { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        var cache = context.State<Cache>(this);
        if (!IsTraining || Probability == 0)
        {
            cache.Scale = null;
            return input;
        }
        int n = input.Dim(0), per = input.Length / n;
        var scale = new float[n];
        for (int i = 0; i < n; i++) scale[i] = context.Random.NextFloat() < Probability ? 0 : 1 / (1 - Probability);
        Tensor y = context.Rent(input.Shape);
        for (int i = 0; i < n; i++)
            System.Numerics.Tensors.TensorPrimitives.Multiply(input.Span.Slice(i * per, per), scale[i], y.Span.Slice(i * per, per));
        cache.Scale = scale;
        return y;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        float[]? scale = context.State<Cache>(this).Scale;
        if (scale is null) return outputGradient;
        int n = outputGradient.Dim(0), per = outputGradient.Length / n;
        Tensor dX = context.Rent(outputGradient.Shape);
        for (int i = 0; i < n; i++)
            System.Numerics.Tensors.TensorPrimitives.Multiply(outputGradient.Span.Slice(i * per, per), scale[i], dX.Span.Slice(i * per, per));
        return dX;
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape)
    {
        Require(inputShape.Length >= 1, "expects at least a batch dimension");
        return inputShape;
    }
}
