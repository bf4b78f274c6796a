using System.Numerics.Tensors;
using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Init;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>
/// ViT's encoder with torchvision's names: adds the learned position embedding "pos_embedding" [1, L, D] to the tokens
/// [N, L, D], dropout, the encoder layers "layers.encoder_layer_i", then LayerNorm "ln" (eps 1e-6).
/// </summary>
public sealed class TransformerEncoder : Module
{
    private readonly Parameter _position;
    private readonly Dropout _dropout;
    private readonly Sequential _layers;
    private readonly LayerNorm _ln;

    /// <summary>Creates the encoder for sequences of <paramref name="sequenceLength"/> tokens.</summary>
    public TransformerEncoder(int sequenceLength, int layers, int heads, int hiddenDim, int mlpDim, float dropout = 0, SeededRandom? init = null)
    {
        init ??= new SeededRandom(0);
        (SequenceLength, HiddenDim) = (sequenceLength, hiddenDim);
        _position = RegisterParameter("pos_embedding", new Tensor(1, sequenceLength, hiddenDim), applyWeightDecay: false);
        Initializers.Normal(_position.Value, init, 0, 0.02);
        _dropout = RegisterModule("dropout", new Dropout(dropout));
        _layers = new Sequential();
        for (int i = 0; i < layers; i++) _layers.Add("encoder_layer_" + i, new EncoderBlock(hiddenDim, heads, mlpDim, dropout, init));
        RegisterModule("layers", _layers);
        _ln = RegisterModule("ln", new LayerNorm(hiddenDim, 1e-6f));
    }

    public int SequenceLength { get; }
    public int HiddenDim { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        OutputShape(input.Shape.ToArray());
        int n = input.Dim(0), per = SequenceLength * HiddenDim;
        Tensor z = context.Rent(input.Shape);
        for (int b = 0; b < n; b++) TensorPrimitives.Add(input.Span.Slice(b * per, per), _position.Value.Span, z.Span.Slice(b * per, per));
        return _ln.Forward(_layers.Forward(_dropout.Forward(z, context), context), context);
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        Tensor dZ = _dropout.Backward(_layers.Backward(_ln.Backward(outputGradient, context), context), context);
        if (_position.RequiresGrad)
        {
            int n = dZ.Dim(0), per = SequenceLength * HiddenDim;
            for (int b = 0; b < n; b++) TensorPrimitives.Add(_position.Grad.Span, dZ.Span.Slice(b * per, per), _position.Grad.Span);
        }
        return dZ;
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape)
    {
        Require(inputShape.Length == 3 && inputShape[1] == SequenceLength && inputShape[2] == HiddenDim,
            $"expects [N, {SequenceLength}, {HiddenDim}] tokens, got {ShapeText(inputShape)} (the input size fixes the sequence length)");
        return inputShape;
    }

    /// <inheritdoc />
    public override long MultiplyAdds(int[] inputShape)
    {
        OutputShape(inputShape);
        return _layers.MultiplyAdds(inputShape);
    }
}
