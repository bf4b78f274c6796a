namespace MlPipelines.Engine.Nn.Layers;

/// <summary>[N, d1, d2, ...] to [N, d1 x d2 x ...] (a view: no copy).</summary>
public sealed class Flatten : Module
{
    private sealed class Cache
    {
        public int[] InputShape = [];
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        context.State<Cache>(this).InputShape = input.Shape.ToArray();
        return input.Reshape(OutputShape(input.Shape.ToArray()));
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context) =>
        outputGradient.Reshape(context.State<Cache>(this).InputShape);

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape)
    {
        Require(inputShape.Length >= 1, "expects at least a batch dimension");
        return [inputShape[0], inputShape.Skip(1).Aggregate(1, (a, b) => a * b)];
    }
}
