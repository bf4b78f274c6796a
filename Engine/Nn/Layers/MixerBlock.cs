using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Kernels;
using MlPipelines.Engine.Kernels.Operators;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>
/// One MLP-Mixer layer (Tolstikhin et al. 2021) on tokens [N, S, C], with timm's names: x += transpose(mlp_tokens(transpose(norm1(x))))
/// mixes across the S tokens per channel, then x += mlp_channels(norm2(x)) mixes across channels per token. Each MLP is
/// fc1, GELU, fc2; the norms are LayerNorm (eps 1e-6).
/// </summary>
public sealed class MixerBlock : Module
{
    private readonly LayerNorm _norm1, _norm2;
    private readonly Sequential _mlpTokens, _mlpChannels;
    private readonly TransposeLastTwo _toChannels = new(), _toTokens = new();

    /// <summary>Creates the layer for <paramref name="tokens"/> tokens of <paramref name="channels"/> features.</summary>
    public MixerBlock(int tokens, int channels, int tokenHidden, int channelHidden, SeededRandom? init = null)
    {
        init ??= new SeededRandom(0);
        (Tokens, Channels) = (tokens, channels);
        _norm1 = RegisterModule("norm1", new LayerNorm(channels, 1e-6f));
        _mlpTokens = RegisterModule("mlp_tokens", Mlp(tokens, tokenHidden, init));
        _norm2 = RegisterModule("norm2", new LayerNorm(channels, 1e-6f));
        _mlpChannels = RegisterModule("mlp_channels", Mlp(channels, channelHidden, init));
    }

    public int Tokens { get; }
    public int Channels { get; }

    /// <summary>timm's Mlp: fc1, act (GELU), fc2.</summary>
    internal static Sequential Mlp(int features, int hidden, SeededRandom init) =>
        new Sequential().Add("fc1", new Linear(features, hidden, init: init)).Add("act", new Gelu()).Add("fc2", new Linear(hidden, features, init: init));

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        OutputShape(input.Shape.ToArray());
        Tensor h = _toTokens.Forward(_mlpTokens.Forward(_toChannels.Forward(_norm1.Forward(input, context), context), context), context);
        Tensor y = context.Rent(input.Shape);
        Elementwise.Map(new AddOp(), input.Span, h.Span, y.Span, accumulate: false, context.Threads);
        Tensor h2 = _mlpChannels.Forward(_norm2.Forward(y, context), context);
        Tensor z = context.Rent(input.Shape);
        Elementwise.Map(new AddOp(), y.Span, h2.Span, z.Span, accumulate: false, context.Threads);
        return z;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        Tensor dY = _norm2.Backward(_mlpChannels.Backward(outputGradient, context), context);
        Elementwise.Map(new AddOp(), dY.Span, outputGradient.Span, dY.Span, accumulate: false, context.Threads);
        Tensor dX = _norm1.Backward(_toChannels.Backward(_mlpTokens.Backward(_toTokens.Backward(dY, context), context), context), context);
        Elementwise.Map(new AddOp(), dX.Span, dY.Span, dX.Span, accumulate: false, context.Threads);
        return dX;
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape)
    {
        Require(inputShape.Length == 3 && inputShape[1] == Tokens && inputShape[2] == Channels,
            $"expects [N, {Tokens}, {Channels}] tokens, got {ShapeText(inputShape)} (the input size fixes the token count)");
        return inputShape;
    }

    /// <inheritdoc />
    public override long MultiplyAdds(int[] inputShape)
    {
        OutputShape(inputShape);
        int[] transposed = [inputShape[0], Channels, Tokens];
        return _mlpTokens.MultiplyAdds(transposed) + _mlpChannels.MultiplyAdds(inputShape);
    }
}
