using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Kernels;
using MlPipelines.Engine.Kernels.Operators;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>
/// EfficientNet's mobile inverted bottleneck (Tan and Le 2019) in torchvision's layout: "block" = [1x1 expansion + BN + SiLU
/// (omitted when the expanded width equals the input)], k x k depthwise with the stride + BN + SiLU, squeeze-and-excitation
/// (squeeze to max(1, in / 4) channels, SiLU, sigmoid), 1x1 projection + BN; then "stochastic_depth" and the residual
/// addition when the stride is 1 and the channel count is unchanged. With <see cref="MBConvOptions"/> it is also
/// MobileNetV3's block (Howard et al. 2019).
/// </summary>
public sealed class MBConv : Module
{
    private readonly Sequential _block;
    private readonly StochasticDepth _stochasticDepth;

    /// <summary>
    /// Creates EfficientNet's block; <paramref name="expandedChannels"/> is the width after expansion (torchvision rounds
    /// in x ratio to a multiple of 8), <paramref name="stochasticDepth"/> the probability of dropping the branch in training.
    /// </summary>
    public MBConv(int inChannels, int outChannels, int expandedChannels, int kernelSize, int stride, float stochasticDepth = 0,
        SeededRandom? init = null, float bnEps = 1e-5f)
        : this(inChannels, outChannels, expandedChannels, kernelSize, stride, new MBConvOptions { StochasticDepth = stochasticDepth, BatchNormEps = bnEps }, init)
    {
    }

    /// <summary>Creates the block with the given activation, squeeze-and-excitation and normalisation choices.</summary>
    public MBConv(int inChannels, int outChannels, int expandedChannels, int kernelSize, int stride, MBConvOptions options, SeededRandom? init = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Require(stride is 1 or 2, $"stride must be 1 or 2, got {stride}");
        Require(inChannels > 0 && outChannels > 0 && expandedChannels > 0 && kernelSize > 0, "channels and kernel must be positive");
        init ??= new SeededRandom(0);
        (InChannels, OutChannels, ExpandedChannels, KernelSize, Stride) = (inChannels, outChannels, expandedChannels, kernelSize, stride);
        UsesResidual = stride == 1 && inChannels == outChannels;
        float eps = options.BatchNormEps, momentum = options.BatchNormMomentum;
        ActivationKind act = options.Activation;
        _block = new Sequential();
        if (expandedChannels != inChannels)
            _block.Add(ConvNormActivation.Create(inChannels, expandedChannels, 1, activation: act, init: init, bnEps: eps, bnMomentum: momentum));
        _block.Add(ConvNormActivation.Create(expandedChannels, expandedChannels, kernelSize, stride, expandedChannels, act, init, eps, bnMomentum: momentum));
        int squeeze = options.SqueezeChannels ?? Math.Max(1, inChannels / 4);
        if (squeeze > 0) _block.Add(new SqueezeExcitation(expandedChannels, squeeze, options.SqueezeActivation, options.SqueezeGate, init));
        _block.Add(ConvNormActivation.Create(expandedChannels, outChannels, 1, activation: null, init: init, bnEps: eps, bnMomentum: momentum));
        RegisterModule("block", _block);
        _stochasticDepth = RegisterModule("stochastic_depth", new StochasticDepth(options.StochasticDepth));
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public int ExpandedChannels { get; }
    public int KernelSize { get; }
    public int Stride { get; }

    /// <summary>Whether the input is added to the output.</summary>
    public bool UsesResidual { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        int last = _block.Modules.Count - 1;
        if ((!_stochasticDepth.IsTraining || _stochasticDepth.Probability == 0)
            && _block[last] is Sequential { Modules: [Conv2d project, BatchNorm2d norm] } && project.FusesNormalization(context, norm))
        {
            // Pure inference (stochastic depth the identity): the projection scales its input by the squeeze-and-excitation
            // gates as it reads it (x * g is never written out), and its batch norm and the residual sum finish each plane
            // as it is stored.
            if (_block[last - 1] is SqueezeExcitation se)
            {
                Tensor expanded = _block.ForwardRange(input, context, 0, last - 1);
                return project.ForwardScaled(expanded, se.Gate(expanded, context), context, norm, UsesResidual ? input : null);
            }
            if (UsesResidual) return project.ForwardResidual(_block.ForwardRange(input, context, 0, last), context, norm, input, relu: false);
        }
        Tensor h = _block.Forward(input, context);
        if (!UsesResidual) return h;
        h = _stochasticDepth.Forward(h, context);
        Tensor y = context.Rent(h.Shape);
        Elementwise.Map(new AddOp(), h.Span, input.Span, y.Span, accumulate: false, context.Threads);
        return y;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        if (!UsesResidual) return _block.Backward(outputGradient, context);
        Tensor dIn = _block.Backward(_stochasticDepth.Backward(outputGradient, context), context);
        Tensor dX = context.Rent(dIn.Shape);
        Elementwise.Map(new AddOp(), dIn.Span, outputGradient.Span, dX.Span, accumulate: false, context.Threads);
        return dX;
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape) => _block.OutputShape(inputShape);

    /// <inheritdoc />
    public override long MultiplyAdds(int[] inputShape) => _block.MultiplyAdds(inputShape);
}
