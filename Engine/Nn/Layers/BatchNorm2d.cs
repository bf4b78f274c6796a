using BnKernel = MlPipelines.Engine.Kernels.BatchNorm;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>
/// Batch normalisation over [N, C, H, W] per channel (PyTorch's BatchNorm2d): batch statistics and running-statistics
/// updates in training, running statistics in evaluation. Buffers running_mean, running_var, num_batches_tracked.
/// </summary>
public sealed class BatchNorm2d : Module
{
    private readonly Parameter? _weight;
    private readonly Parameter? _bias;
    private readonly Tensor _runningMean;
    private readonly Tensor _runningVar;
    private readonly Tensor _batches;

    private sealed class Cache
    {
        public Tensor? Input;
        public float[] Mean = [];
        public float[] InvStd = [];
        public bool UsedBatchStatistics;
    }

    /// <summary>Creates the layer (gamma 1, beta 0, running mean 0, running variance 1).</summary>
    public BatchNorm2d(int channels, float eps = 1e-5f, float momentum = 0.1f, bool affine = true)
    {
        Require(channels > 0, "channels must be positive");
        Require(eps > 0 && momentum is >= 0 and <= 1, "eps must be positive and momentum in [0, 1]");
        (Channels, Eps, Momentum) = (channels, eps, momentum);
        if (affine)
        {
            _weight = RegisterParameter("weight", new Tensor(channels), applyWeightDecay: false);
            _weight.Value.Fill(1);
            _bias = RegisterParameter("bias", new Tensor(channels), applyWeightDecay: false);
        }
        _runningMean = RegisterBuffer("running_mean", new Tensor(channels));
        _runningVar = RegisterBuffer("running_var", new Tensor(channels));
        _runningVar.Fill(1);
        _batches = RegisterBuffer("num_batches_tracked", new Tensor(1));
    }

    public int Channels { get; }
    public float Eps { get; }
    public float Momentum { get; }

    /// <summary>Gamma, or null without affine.</summary>
    public Parameter? Weight => _weight;

    /// <summary>Beta, or null without affine.</summary>
    public Parameter? Bias => _bias;

    /// <summary>Running per-channel mean.</summary>
    public Tensor RunningMean => _runningMean;

    /// <summary>Running per-channel (unbiased) variance.</summary>
    public Tensor RunningVar => _runningVar;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        if (input.Rank != 4 || input.Dim(1) != Channels) OutputShape(input.Shape.ToArray());
        int n = input.Dim(0), hw = input.Dim(2) * input.Dim(3);
        Tensor y = context.Rent(input.Shape);
        ReadOnlySpan<float> gamma = _weight is null ? [] : _weight.Value.Span, beta = _bias is null ? [] : _bias.Value.Span;
        var cache = context.State<Cache>(this);
        if (IsTraining)
        {
            if (cache.Mean.Length != Channels)
            {
                cache.Mean = new float[Channels];
                cache.InvStd = new float[Channels];
            }
            BnKernel.ForwardTraining(input.Span, gamma, beta, n, Channels, hw, Eps, Momentum, y.Span, cache.Mean, cache.InvStd,
                _runningMean.Span, _runningVar.Span, context.Threads);
            _batches.Span[0] += 1;
        }
        else
        {
            BnKernel.ForwardInference(input.Span, gamma, beta, _runningMean.Span, _runningVar.Span, n, Channels, hw, Eps, y.Span, context.Threads);
        }
        cache.UsedBatchStatistics = IsTraining;
        cache.Input = context.RecordForBackward ? input : null;
        return y;
    }

    /// <summary>
    /// This layer in eval mode as the per-channel map y = scale x + shift, for a convolution to apply as it stores its
    /// output (<see cref="Conv2d.ForwardNormalized"/>).
    /// </summary>
    internal void EvalAffine(Span<float> scale, Span<float> shift)
    {
        ReadOnlySpan<float> gamma = _weight is null ? [] : _weight.Value.Span, beta = _bias is null ? [] : _bias.Value.Span;
        ReadOnlySpan<float> mean = _runningMean.Span, variance = _runningVar.Span;
        for (int c = 0; c < Channels; c++)
            (scale[c], shift[c]) = BnKernel.InferenceAffine(gamma.IsEmpty ? 1 : gamma[c], beta.IsEmpty ? 0 : beta[c], mean[c], variance[c], Eps);
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        var cache = context.State<Cache>(this);
        Tensor x = cache.Input ?? throw new InvalidOperationException("BatchNorm2d.Backward without a recorded forward pass.");
        int n = x.Dim(0), hw = x.Dim(2) * x.Dim(3);
        Tensor dX = context.Rent(x.Shape);
        ReadOnlySpan<float> gamma = _weight is null ? [] : _weight.Value.Span;
        Span<float> dGamma = _weight is { RequiresGrad: true } ? _weight.Grad.Span : [];
        Span<float> dBeta = _bias is { RequiresGrad: true } ? _bias.Grad.Span : [];
        if (cache.UsedBatchStatistics)
            BnKernel.BackwardTraining(x.Span, outputGradient.Span, gamma, cache.Mean, cache.InvStd, n, Channels, hw, dX.Span, dGamma, dBeta, context.Threads, accumulate: false);
        else
            BnKernel.BackwardInference(x.Span, outputGradient.Span, gamma, _runningMean.Span, _runningVar.Span, n, Channels, hw, Eps, dX.Span, dGamma, dBeta, accumulate: false);
        return dX;
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape)
    {
        Require(inputShape.Length == 4 && inputShape[1] == Channels, $"expects [N, {Channels}, H, W] input, got {ShapeText(inputShape)}");
        return inputShape;
    }
}
