namespace MlPipelines.Engine.Nn.Layers;

/// <summary>Passes its input through (a placeholder, e.g. for a removed classifier head).</summary>
public sealed class Identity : Module
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context) => input;

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context) => outputGradient;

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape) => inputShape;
}
