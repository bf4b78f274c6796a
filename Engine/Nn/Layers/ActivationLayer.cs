using MlPipelines.Engine.Kernels;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>An elementwise activation as a layer; the named subclasses (Relu, Gelu, ...) are what models use.</summary>
public class ActivationLayer : Module
{
    private sealed class Cache
    {
        public Tensor? Input;
        public Tensor? Output;
    }

    /// <summary>Creates the layer for <paramref name="kind"/>.</summary>
    public ActivationLayer(ActivationKind kind, float negativeSlope = 0.01f)
    {
        Kind = kind;
        NegativeSlope = negativeSlope;
    }

    /// <summary>The function.</summary>
    public ActivationKind Kind { get; }

    /// <summary>Slope for negative inputs (LeakyReLU only).</summary>
    public float NegativeSlope { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        Tensor y = context.Rent(input.Shape);
        Activation.Forward(Kind, input.Span, y.Span, NegativeSlope, context.Threads);
        if (context.RecordForBackward)
        {
            var cache = context.State<Cache>(this);
            cache.Input = input;
            cache.Output = y;
        }
        return y;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        var cache = context.State<Cache>(this);
        Tensor x = cache.Input ?? throw new InvalidOperationException($"{Kind}.Backward without a recorded forward pass.");
        Tensor dX = context.Rent(x.Shape);
        Activation.Backward(Kind, x.Span, cache.Output!.Span, outputGradient.Span, dX.Span, NegativeSlope, accumulate: false, context.Threads);
        return dX;
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape) => inputShape;
}
