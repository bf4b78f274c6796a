using System.Numerics.Tensors;
using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Init;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>
/// The Vision Transformer (Dosovitskiy et al. 2021) as torchvision builds it and names it: a patch x patch stride-patch
/// convolution "conv_proj" to D channels, the patches as tokens, a learned "class_token" prepended, the
/// <see cref="TransformerEncoder"/> "encoder", and the class token's output through "heads.head". The input size is fixed
/// by the position embedding.
/// </summary>
public sealed class VisionTransformer : Module
{
    private readonly Parameter _classToken;
    private readonly Conv2d _convProj;
    private readonly TransposeLastTwo _tokens = new(flattenImage: true);
    private readonly TransformerEncoder _encoder;
    private readonly Sequential _heads;

    /// <summary>Creates the model with torchvision's initialisation (zero class token and head).</summary>
    public VisionTransformer(int inChannels, int imageSize, int patchSize, int layers, int heads, int hiddenDim, int mlpDim, int classes,
        float dropout = 0, SeededRandom? init = null)
    {
        Require(patchSize > 0 && imageSize >= patchSize, $"the image ({imageSize}) must be at least one patch ({patchSize})");
        init ??= new SeededRandom(0);
        (ImageSize, PatchSize, HiddenDim) = (imageSize, patchSize, hiddenDim);
        int side = imageSize / patchSize;
        _classToken = RegisterParameter("class_token", new Tensor(1, 1, hiddenDim), applyWeightDecay: false);
        _convProj = RegisterModule("conv_proj", new Conv2d(inChannels, hiddenDim, patchSize, patchSize, init: init));
        Initializers.Normal(_convProj.Weight.Value, init, 0, Math.Sqrt(1.0 / (inChannels * patchSize * patchSize)));
        _convProj.Bias!.Value.Clear();
        _encoder = RegisterModule("encoder", new TransformerEncoder(side * side + 1, layers, heads, hiddenDim, mlpDim, dropout, init));
        var head = new Linear(hiddenDim, classes, init: init);
        head.Weight.Value.Clear();
        head.Bias!.Value.Clear();
        _heads = RegisterModule("heads", new Sequential().Add("head", head));
    }

    public int ImageSize { get; }
    public int PatchSize { get; }
    public int HiddenDim { get; }

    private sealed class Cache
    {
        public int Batch;
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        OutputShape(input.Shape.ToArray());
        Tensor patches = _tokens.Forward(_convProj.Forward(input, context), context); // [N, L - 1, D]
        int n = patches.Dim(0), l = patches.Dim(1) + 1, d = HiddenDim;
        Tensor z = context.Rent(n, l, d);
        for (int b = 0; b < n; b++)
        {
            _classToken.Value.Span.CopyTo(z.Span.Slice(b * l * d, d));
            patches.Span.Slice(b * (l - 1) * d, (l - 1) * d).CopyTo(z.Span.Slice(b * l * d + d));
        }
        Tensor encoded = _encoder.Forward(z, context);
        Tensor first = context.Rent(n, d);
        for (int b = 0; b < n; b++) encoded.Span.Slice(b * l * d, d).CopyTo(first.Span.Slice(b * d, d));
        context.State<Cache>(this).Batch = n;
        return _heads.Forward(first, context);
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        int n = context.State<Cache>(this).Batch, d = HiddenDim, l = _encoder.SequenceLength;
        if (n == 0) throw new InvalidOperationException("VisionTransformer.Backward without a recorded forward pass.");
        Tensor dFirst = _heads.Backward(outputGradient, context);
        Tensor dEncoded = context.RentZeroed(n, l, d);
        for (int b = 0; b < n; b++) dFirst.Span.Slice(b * d, d).CopyTo(dEncoded.Span.Slice(b * l * d, d));
        Tensor dZ = _encoder.Backward(dEncoded, context);
        Tensor dPatches = context.Rent(n, l - 1, d);
        for (int b = 0; b < n; b++)
        {
            if (_classToken.RequiresGrad) TensorPrimitives.Add(_classToken.Grad.Span, dZ.Span.Slice(b * l * d, d), _classToken.Grad.Span);
            dZ.Span.Slice(b * l * d + d, (l - 1) * d).CopyTo(dPatches.Span.Slice(b * (l - 1) * d));
        }
        return _convProj.Backward(_tokens.Backward(dPatches, context), context);
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape)
    {
        int[] tokens = _tokens.OutputShape(_convProj.OutputShape(inputShape));
        int[] sequence = [tokens[0], tokens[1] + 1, tokens[2]];
        return _heads.OutputShape([sequence[0], _encoder.OutputShape(sequence)[2]]);
    }

    /// <inheritdoc />
    public override long MultiplyAdds(int[] inputShape)
    {
        int[] tokens = _tokens.OutputShape(_convProj.OutputShape(inputShape));
        return _convProj.MultiplyAdds(inputShape) + _encoder.MultiplyAdds([tokens[0], tokens[1] + 1, tokens[2]])
            + _heads.MultiplyAdds([tokens[0], HiddenDim]);
    }
}
