using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Init;
using MlPipelines.Engine.Kernels;
using MlPipelines.Engine.Kernels.Operators;
using ConvKernel = MlPipelines.Engine.Kernels.Conv2d;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>2-D convolution over [N, C, H, W] with stride, padding (per side), dilation and groups; weight [out, in / groups, kh, kw].</summary>
public sealed class Conv2d : Module
{
    private readonly Parameter _weight;
    private readonly Parameter? _bias;

    private sealed class Cache
    {
        public Tensor? Input;
    }

    /// <summary>Creates the layer with PyTorch's default initialisation drawn from <paramref name="init"/>.</summary>
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1,
        bool bias = true, SeededRandom? init = null)
        : this(inChannels, outChannels, (kernelSize, kernelSize), (stride, stride), Padding2d.All(padding), (dilation, dilation), groups, bias, init)
    {
    }

    /// <summary>Creates the layer with rectangular kernel, stride, dilation and per-side padding.</summary>
    public Conv2d(int inChannels, int outChannels, (int H, int W) kernel, (int H, int W) stride, Padding2d padding, (int H, int W) dilation,
        int groups = 1, bool bias = true, SeededRandom? init = null)
        : this(NewWeight(inChannels, outChannels, kernel, groups), bias ? new Tensor(outChannels) : null, inChannels, stride, padding, dilation, groups)
    {
        Initializers.PyTorchDefault(_weight.Value, _bias?.Value, init ?? new SeededRandom(0));
    }

    private Conv2d(Tensor weight, Tensor? bias, int inChannels, (int H, int W) stride, Padding2d padding, (int H, int W) dilation, int groups)
    {
        Require(weight.Rank == 4, $"needs a [out, in / groups, kh, kw] weight, got {ShapeText(weight.Shape.ToArray())}");
        int outChannels = weight.Dim(0);
        (int H, int W) kernel = (weight.Dim(2), weight.Dim(3));
        Require(inChannels > 0 && outChannels > 0 && kernel.H > 0 && kernel.W > 0, "channels and kernel sizes must be positive");
        Require(groups > 0 && inChannels % groups == 0 && outChannels % groups == 0, $"groups ({groups}) must divide in ({inChannels}) and out ({outChannels}) channels");
        Require(weight.Dim(1) == inChannels / groups, $"weight {ShapeText(weight.Shape.ToArray())} does not take {inChannels} input channels in {groups} group(s)");
        Require(bias is null || bias.Length == outChannels, $"bias has {bias?.Length} values for {outChannels} output channels");
        Require(stride.H > 0 && stride.W > 0 && dilation.H > 0 && dilation.W > 0, "stride and dilation must be positive");
        (InChannels, OutChannels, Kernel, Stride, Padding, Dilation, Groups) = (inChannels, outChannels, kernel, stride, padding, dilation, groups);
        _weight = RegisterParameter("weight", weight);
        if (bias is not null) _bias = RegisterParameter("bias", bias, applyWeightDecay: false);
    }

    /// <summary>A zero weight tensor, after the checks that make its shape meaningful.</summary>
    private static Tensor NewWeight(int inChannels, int outChannels, (int H, int W) kernel, int groups)
    {
        if (!(inChannels > 0 && outChannels > 0 && kernel.H > 0 && kernel.W > 0))
            throw new ArgumentException($"{nameof(Conv2d)}: channels and kernel sizes must be positive");
        if (!(groups > 0 && inChannels % groups == 0 && outChannels % groups == 0))
            throw new ArgumentException($"{nameof(Conv2d)}: groups ({groups}) must divide in ({inChannels}) and out ({outChannels}) channels");
        return new Tensor(outChannels, inChannels / groups, kernel.H, kernel.W);
    }

    /// <summary>
    /// A convolution whose weight [out, in / groups, kh, kw] and bias [out] are the given tensors themselves, shared rather
    /// than copied or initialised: an imported graph's initializers run on the engine's kernels without a copy per step.
    /// </summary>
    public static Conv2d Sharing(Tensor weight, Tensor? bias, (int H, int W) stride, Padding2d padding, (int H, int W) dilation, int groups = 1)
    {
        ArgumentNullException.ThrowIfNull(weight);
        return new Conv2d(weight, bias, weight.Rank == 4 ? weight.Dim(1) * groups : 0, stride, padding, dilation, groups);
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public (int H, int W) Kernel { get; }
    public (int H, int W) Stride { get; }
    public Padding2d Padding { get; }
    public (int H, int W) Dilation { get; }
    public int Groups { get; }

    /// <summary>The weight [out, in / groups, kh, kw].</summary>
    public Parameter Weight => _weight;

    /// <summary>The bias [out], or null.</summary>
    public Parameter? Bias => _bias;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        var g = Geometry(input.Shape);
        Tensor y = context.Rent(g.Batch, g.OutChannels, g.OutHeight, g.OutWidth);
        ConvKernel.Forward(input.Values, _weight.Value.Values, _bias is null ? [] : _bias.Value.Values, g, y.Span, default, context.Threads, PackedWeight(g, context));
        if (context.RecordForBackward) context.State<Cache>(this).Input = input;
        return y;
    }

    /// <summary>
    /// This convolution, then <paramref name="norm"/> and <paramref name="activation"/> where given. In pure inference
    /// (nothing recorded for backward, the norm in eval mode) the norm's affine map and the activation are applied to each
    /// output plane as the convolution stores it, one pass instead of three, with the same bits; otherwise the layers run
    /// in turn.
    /// </summary>
    public Tensor ForwardNormalized(Tensor input, StepContext context, BatchNorm2d? norm, ActivationLayer? activation = null)
    {
        if (!FusesNormalization(context, norm))
        {
            Tensor h = Forward(input, context);
            if (norm is not null) h = norm.Forward(h, context);
            return activation is null ? h : activation.Forward(h, context);
        }
        return ForwardFused(input, context, norm, activation?.Kind, activation?.NegativeSlope ?? 0, null);
    }

    /// <summary>Whether <see cref="ForwardNormalized"/> fuses <paramref name="norm"/> here: pure inference, the norm in eval mode.</summary>
    public bool FusesNormalization(StepContext context, BatchNorm2d? norm) =>
        !context.RecordForBackward && norm is not { IsTraining: true } && (norm is null || norm.Channels == OutChannels);

    /// <summary>
    /// The end of a residual block in pure inference: y = relu(norm(conv(x)) + <paramref name="residual"/>) (or without
    /// the ReLU), each output plane finished as the convolution stores it, with the bits of the layers run in turn. Only
    /// where <see cref="FusesNormalization"/> holds.
    /// </summary>
    public Tensor ForwardResidual(Tensor input, StepContext context, BatchNorm2d? norm, Tensor residual, bool relu) =>
        ForwardScaled(input, null, context, norm, residual, relu);

    /// <summary>
    /// Pure inference: y = norm(conv(x * <paramref name="inputScale"/>)) (+ <paramref name="residual"/>, then the ReLU when
    /// <paramref name="relu"/>), with x's channels scaled per image ([N, C, 1, 1], squeeze-and-excitation's gates) as the
    /// 1x1 convolution reads them rather than in a pass of their own; the bits of scaling first. Only where
    /// <see cref="FusesNormalization"/> holds; a scale only for a 1x1 stride-1 convolution without groups.
    /// </summary>
    public Tensor ForwardScaled(Tensor input, Tensor? inputScale, StepContext context, BatchNorm2d? norm, Tensor? residual = null, bool relu = false)
    {
        if (!FusesNormalization(context, norm)) throw new InvalidOperationException("A residual sum or input scale is fused only in pure inference with the norm in eval mode.");
        if (inputScale is not null)
        {
            Require(Kernel == (1, 1) && Stride == (1, 1) && Padding == default && Groups == 1, "scales its input only as a 1x1 stride-1 convolution without groups");
            if (inputScale.Length != input.Dim(0) * InChannels)
                Require(false, $"takes {input.Dim(0) * InChannels} input scales for input {ShapeText(input.Shape.ToArray())}, got {inputScale.ShapeText}");
        }
        return ForwardFused(input, context, norm, relu ? ActivationKind.Relu : null, 0, residual, inputScale);
    }

    /// <summary>
    /// The end of a residual block: relu(norm(conv(x)) + <paramref name="shortcut"/>). In pure inference the sum and ReLU
    /// finish each output plane as it is stored (<see cref="ForwardResidual"/>); otherwise the layers run in turn (recording
    /// for backward) and the sum and ReLU take one pass.
    /// </summary>
    public Tensor ForwardBlockEnd(Tensor input, StepContext context, BatchNorm2d norm, Tensor shortcut)
    {
        if (FusesNormalization(context, norm)) return ForwardResidual(input, context, norm, shortcut, relu: true);
        Tensor h = ForwardNormalized(input, context, norm);
        Tensor y = context.Rent(h.Shape);
        Elementwise.Map(new AddThenOp<ReluOp>(default), h.Span, shortcut.Span, y.Span, accumulate: false, context.Threads);
        return y;
    }

    private Tensor ForwardFused(Tensor input, StepContext context, BatchNorm2d? norm, ActivationKind? activation, float slope, Tensor? residual, Tensor? inputScale = null)
    {
        var g = Geometry(input.Shape);
        Tensor y = context.Rent(g.Batch, g.OutChannels, g.OutHeight, g.OutWidth);
        if (residual is not null && !residual.Shape.SequenceEqual(y.Shape))
            Require(false, $"adds a residual of shape {ShapeText(residual.Shape.ToArray())} to its output of shape {ShapeText(y.Shape.ToArray())}");
        Tensor affine = context.Rent(2, OutChannels);
        Span<float> scale = affine.Span[..OutChannels], shift = affine.Span[OutChannels..];
        norm?.EvalAffine(scale, shift);
        unsafe
        {
            fixed (float* ps = scale, pt = shift, py = y.Span, pr = residual is null ? default : residual.Span)
            {
                var epilogue = new ConvEpilogue(norm is null ? null : ps, norm is null ? null : pt, activation, slope);
                if (residual is not null) epilogue = epilogue.WithResidual(py, pr);
                ConvKernel.Forward(input.Values, _weight.Value.Values, _bias is null ? [] : _bias.Value.Values, g, y.Span, epilogue, context.Threads, PackedWeight(g, context),
                    inputScale is null ? default : inputScale.Values);
            }
        }
        return y;
    }

    /// <summary>The weight as packed for the kernel's multiplications, with the weight version it was packed from.</summary>
    private sealed record PackedWeights(long Version, float[] Panels);

    private PackedWeights? _packed;

    /// <summary>
    /// In inference, the weight's panels for <paramref name="g"/>'s multiplications (<see cref="ConvKernel.PackWeights"/>),
    /// packed once and kept while the weight is unchanged (its <see cref="Tensor.WriteVersion"/>), as inference runtimes
    /// prepack a session's weights; empty in training, where the kernel's route does not read them, or where the weight's
    /// writes are not tracked. A new version gets new panels, so a forward pass on another thread keeps reading its own.
    /// </summary>
    private ReadOnlySpan<float> PackedWeight(in Conv2dGeometry g, StepContext context)
    {
        if (context.RecordForBackward || !ConvKernel.ReadsPackedWeights(g) || _weight.Value.WriteVersion is not long version) return default;
        var packed = _packed;
        if (packed is null || packed.Version != version)
        {
            var panels = new float[ConvKernel.PackedWeightLength(g)];
            ConvKernel.PackWeights(_weight.Value.Values, g, panels);
            _packed = packed = new PackedWeights(version, panels);
        }
        return packed.Panels;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        Tensor x = context.State<Cache>(this).Input ?? throw new InvalidOperationException("Conv2d.Backward without a recorded forward pass.");
        var g = Geometry(x.Shape);
        if (_weight.RequiresGrad || (_bias?.RequiresGrad ?? false))
            ConvKernel.BackwardWeights(x.Span, outputGradient.Span, g, _weight.Grad.Span, _bias is { RequiresGrad: true } ? _bias.Grad.Span : [], context.Threads);
        if (ReferenceEquals(x, context.NoGradientInput)) return context.RentZeroed(x.Shape);
        Tensor dX = context.Rent(x.Shape);
        ConvKernel.BackwardData(outputGradient.Span, _weight.Value.Span, g, dX.Span, context.Threads, accumulate: false);
        return dX;
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape)
    {
        var g = Geometry(inputShape);
        return [g.Batch, g.OutChannels, g.OutHeight, g.OutWidth];
    }

    /// <inheritdoc />
    public override long MultiplyAdds(int[] inputShape)
    {
        var g = Geometry(inputShape);
        return (long)g.Batch * g.OutChannels * g.OutHeight * g.OutWidth * g.PatchSize;
    }

    private Conv2dGeometry Geometry(ReadOnlySpan<int> shape)
    {
        // Checked before formatting any message: this runs twice per layer per step.
        if (shape.Length != 4) Require(false, $"expects [N, C, H, W] input, got {ShapeText(shape.ToArray())}");
        if (shape[1] != InChannels) Require(false, $"expects {InChannels} input channels, got {shape[1]} (input {ShapeText(shape.ToArray())})");
        return new Conv2dGeometry(shape[0], InChannels, shape[2], shape[3], OutChannels, Kernel.H, Kernel.W, Stride.H, Stride.W,
            Padding.Top, Padding.Left, Padding.Bottom, Padding.Right, Dilation.H, Dilation.W, Groups);
    }
}
