using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Kernels;
using MlPipelines.Engine.Kernels.Operators;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>
/// MobileNetV2's inverted residual block (Sandler et al. 2018) in torchvision's layout: "conv" = [1x1 expansion to
/// in x t channels + BN + ReLU6 (omitted when t = 1)], 3x3 depthwise with the stride + BN + ReLU6, 1x1 linear projection + BN;
/// the input is added when the stride is 1 and the channel count is unchanged.
/// </summary>
public sealed class InvertedResidual : Module
{
    private readonly Sequential _conv;
    private readonly Conv2d _project;
    private readonly BatchNorm2d _projectNorm;

    /// <summary>Creates the block with expansion ratio <paramref name="expandRatio"/> (t).</summary>
    public InvertedResidual(int inChannels, int outChannels, int stride, int expandRatio, SeededRandom? init = null)
    {
        Require(stride is 1 or 2, $"stride must be 1 or 2, got {stride}");
        Require(inChannels > 0 && outChannels > 0 && expandRatio > 0, "channels and expansion must be positive");
        init ??= new SeededRandom(0);
        int hidden = inChannels * expandRatio;
        (InChannels, OutChannels, Stride, HiddenChannels) = (inChannels, outChannels, stride, hidden);
        UsesResidual = stride == 1 && inChannels == outChannels;
        _conv = new Sequential();
        if (expandRatio != 1) _conv.Add(ConvNormActivation.Create(inChannels, hidden, 1, activation: ActivationKind.Relu6, init: init));
        _conv.Add(ConvNormActivation.Create(hidden, hidden, 3, stride, hidden, ActivationKind.Relu6, init))
             .Add(_project = new Conv2d(hidden, outChannels, 1, bias: false, init: init))
             .Add(_projectNorm = new BatchNorm2d(outChannels));
        RegisterModule("conv", _conv);
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public int HiddenChannels { get; }
    public int Stride { get; }

    /// <summary>Whether the input is added to the output.</summary>
    public bool UsesResidual { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        if (UsesResidual && _project.FusesNormalization(context, _projectNorm))
        {
            // Pure inference: the projection's batch norm and the residual sum finish each plane as it is stored.
            Tensor hidden = _conv.ForwardRange(input, context, 0, _conv.Modules.Count - 2);
            return _project.ForwardResidual(hidden, context, _projectNorm, input, relu: false);
        }
        Tensor h = _conv.Forward(input, context);
        if (!UsesResidual) return h;
        Tensor y = context.Rent(h.Shape);
        Elementwise.Map(new AddOp(), h.Span, input.Span, y.Span, accumulate: false, context.Threads);
        return y;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        Tensor dIn = _conv.Backward(outputGradient, context);
        if (!UsesResidual) return dIn;
        Tensor dX = context.Rent(dIn.Shape);
        Elementwise.Map(new AddOp(), dIn.Span, outputGradient.Span, dX.Span, accumulate: false, context.Threads);
        return dX;
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape) => _conv.OutputShape(inputShape);

    /// <inheritdoc />
    public override long MultiplyAdds(int[] inputShape) => _conv.MultiplyAdds(inputShape);
}
