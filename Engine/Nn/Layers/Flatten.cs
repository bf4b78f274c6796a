namespace MlPipelines.Engine.Nn.Layers;

/// <summary>[N, d1, d2, ...] to [N, d1 x d2 x ...] (a view: no copy).</summary>
public sealed class Flatten : Module
{
    private sealed class Cache
    {
        public int[] InputShape = [];
        public Tensor? Output;
        public Tensor? InputGradient;
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        var cache = context.State<Cache>(this);
        if (!input.Shape.SequenceEqual(cache.InputShape)) cache.InputShape = input.Shape.ToArray();
        // The step context hands out the same tensors every step, so the view made last step usually still fits.
        Tensor? last = cache.Output;
        bool fits = last is not null && last.Storage == input.Storage && last.Length == input.Length && last.Rank == 2 && last.Dim(0) == input.Dim(0);
        if (!fits) cache.Output = input.Reshape(OutputShape(cache.InputShape));
        return cache.Output!;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        var cache = context.State<Cache>(this);
        Tensor? last = cache.InputGradient;
        bool fits = last is not null && last.Storage == outputGradient.Storage && last.Shape.SequenceEqual(cache.InputShape);
        if (!fits) cache.InputGradient = outputGradient.Reshape(cache.InputShape);
        return cache.InputGradient!;
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape)
    {
        Require(inputShape.Length >= 1, "expects at least a batch dimension");
        return [inputShape[0], inputShape.Skip(1).Aggregate(1, (a, b) => a * b)];
    }
}
