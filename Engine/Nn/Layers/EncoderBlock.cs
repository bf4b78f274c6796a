using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Init;
using MlPipelines.Engine.Kernels;
using MlPipelines.Engine.Kernels.Operators;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>
/// A pre-norm transformer encoder layer as torchvision's ViT names it: x += dropout(self_attention(ln_1(x))), then
/// x += mlp(ln_2(x)) with mlp = Linear (D to M) "0", GELU, dropout, Linear (M to D) "3", dropout. LayerNorms use eps 1e-6.
/// </summary>
public sealed class EncoderBlock : Module
{
    private readonly LayerNorm _ln1, _ln2;
    private readonly MultiheadSelfAttention _attention;
    private readonly Dropout _dropout;
    private readonly Sequential _mlp;

    /// <summary>Creates the layer with <paramref name="heads"/> heads and an MLP of width <paramref name="mlpDim"/>.</summary>
    public EncoderBlock(int hiddenDim, int heads, int mlpDim, float dropout = 0, SeededRandom? init = null)
    {
        init ??= new SeededRandom(0);
        HiddenDim = hiddenDim;
        _ln1 = RegisterModule("ln_1", new LayerNorm(hiddenDim, 1e-6f));
        _attention = RegisterModule("self_attention", new MultiheadSelfAttention(hiddenDim, heads, init));
        _dropout = RegisterModule("dropout", new Dropout(dropout));
        _ln2 = RegisterModule("ln_2", new LayerNorm(hiddenDim, 1e-6f));
        var fc1 = new Linear(hiddenDim, mlpDim, init: init);
        var fc2 = new Linear(mlpDim, hiddenDim, init: init);
        foreach (Linear fc in new[] { fc1, fc2 })
        {
            Initializers.XavierUniform(fc.Weight.Value, init);
            Initializers.Normal(fc.Bias!.Value, init, 0, 1e-6);
        }
        _mlp = RegisterModule("mlp", new Sequential(fc1, new Gelu(), new Dropout(dropout), fc2, new Dropout(dropout)));
    }

    public int HiddenDim { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        OutputShape(input.Shape.ToArray());
        Tensor h = _dropout.Forward(_attention.Forward(_ln1.Forward(input, context), context), context);
        Tensor y = context.Rent(input.Shape);
        Elementwise.Map(new AddOp(), input.Span, h.Span, y.Span, accumulate: false, context.Threads);
        Tensor h2 = _mlp.Forward(_ln2.Forward(y, context), context);
        Tensor z = context.Rent(input.Shape);
        Elementwise.Map(new AddOp(), y.Span, h2.Span, z.Span, accumulate: false, context.Threads);
        return z;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        Tensor dY = _ln2.Backward(_mlp.Backward(outputGradient, context), context);
        Elementwise.Map(new AddOp(), dY.Span, outputGradient.Span, dY.Span, accumulate: false, context.Threads);
        Tensor dX = _ln1.Backward(_attention.Backward(_dropout.Backward(dY, context), context), context);
        Elementwise.Map(new AddOp(), dX.Span, dY.Span, dX.Span, accumulate: false, context.Threads);
        return dX;
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape)
    {
        Require(inputShape.Length == 3 && inputShape[2] == HiddenDim, $"expects [N, L, {HiddenDim}] tokens, got {ShapeText(inputShape)}");
        return inputShape;
    }

    /// <inheritdoc />
    public override long MultiplyAdds(int[] inputShape) => _attention.MultiplyAdds(inputShape) + _mlp.MultiplyAdds(inputShape);
}
