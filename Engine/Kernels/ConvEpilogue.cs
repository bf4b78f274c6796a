using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MlPipelines.Engine.Kernels.Operators;

namespace MlPipelines.Engine.Kernels;

/// <summary>
/// What a convolution does to each output plane while it is still in cache: y = act(scale[c] y + shift[c]), an eval-mode
/// batch norm (its per-channel affine map) and an activation fused into the store, so inference makes one pass over each
/// activation instead of three. The affine step is the same fused multiply-add eval batch norm computes, so fused and
/// separate layers give the same bits.
/// </summary>
internal readonly unsafe struct ConvEpilogue
{
    private readonly float* _scale, _shift, _output, _residual;
    private readonly ActivationKind _activation;
    private readonly bool _hasActivation;
    private readonly float _slope;

    /// <summary>An affine map per channel (scale and shift pinned by the caller for the call's duration), then an optional activation.</summary>
    public ConvEpilogue(float* scale, float* shift, ActivationKind? activation, float slope)
    {
        _scale = scale;
        _shift = shift;
        _slope = slope;
        _hasActivation = activation.HasValue;
        _activation = activation.GetValueOrDefault();
    }

    /// <summary>
    /// This epilogue with a residual block's sum fused in before the activation: y = act(affine(x) + r), where r is the
    /// value of <paramref name="residual"/> (laid out as the convolution's output, which starts at
    /// <paramref name="output"/>) at the position being written. Only ReLU or no activation: a ResNet block's end.
    /// </summary>
    public ConvEpilogue WithResidual(float* output, float* residual)
    {
        if (_hasActivation && _activation != ActivationKind.Relu) throw new ArgumentException($"A residual sum is fused before ReLU or nothing, not {_activation}.");
        return new ConvEpilogue(_scale, _shift, _hasActivation ? _activation : null, _slope, output, residual);
    }

    private ConvEpilogue(float* scale, float* shift, ActivationKind? activation, float slope, float* output, float* residual)
        : this(scale, shift, activation, slope)
    {
        _output = output;
        _residual = residual;
    }

    /// <summary>True when there is nothing to apply.</summary>
    public bool IsNone => _scale is null && !_hasActivation && _residual is null;

    /// <summary>
    /// Hands <paramref name="consumer"/> this epilogue for channel <paramref name="channel"/> as one vector operator (the
    /// operators <see cref="Apply(ReadOnlySpan{float}, Span{float}, int)"/> maps, so the same bits), for a kernel to apply
    /// to its accumulators before they are stored (SiLU included, through the vector exp). False, and nothing run, for the
    /// other activations built on exp (sigmoid, tanh, GELU), which have no such operator.
    /// </summary>
    public bool TryDispatch<TConsumer>(int channel, ref TConsumer consumer) where TConsumer : struct, IEpilogueConsumer, allows ref struct
    {
        if (_residual is not null) return false;
        ActivationKind? activation = _hasActivation ? _activation : null;
        if (_scale is null)
        {
            switch (activation)
            {
                case null: consumer.Run(new IdentityOp()); return true;
                case ActivationKind.Relu: consumer.Run(new ReluOp()); return true;
                case ActivationKind.Relu6: consumer.Run(new ClampOp(0, 6)); return true;
                case ActivationKind.LeakyRelu: consumer.Run(new LeakyReluOp(_slope)); return true;
                case ActivationKind.HardSwish: consumer.Run(new HardSwishOp()); return true;
                case ActivationKind.HardSigmoid: consumer.Run(new HardSigmoidOp()); return true;
                case ActivationKind.Silu: consumer.Run(new SiluOp()); return true;
                default: return false;
            }
        }
        var affine = new AffineOp(_scale[channel], _shift[channel]);
        switch (activation)
        {
            case null: consumer.Run(affine); return true;
            case ActivationKind.Relu: consumer.Run(new AffineThenOp<ReluOp>(affine, default)); return true;
            case ActivationKind.Relu6: consumer.Run(new AffineThenOp<ClampOp>(affine, new ClampOp(0, 6))); return true;
            case ActivationKind.LeakyRelu: consumer.Run(new AffineThenOp<LeakyReluOp>(affine, new LeakyReluOp(_slope))); return true;
            case ActivationKind.HardSwish: consumer.Run(new AffineThenOp<HardSwishOp>(affine, default)); return true;
            case ActivationKind.HardSigmoid: consumer.Run(new AffineThenOp<HardSigmoidOp>(affine, default)); return true;
            case ActivationKind.Silu: consumer.Run(new AffineThenOp<SiluOp>(affine, default)); return true;
            default: return false;
        }
    }

    /// <summary>
    /// dst = epilogue(src + <paramref name="bias"/>) for values of channel <paramref name="channel"/> (dst may be src): a
    /// convolution's bias added in the same pass as the epilogue where the epilogue has a vector operator, else added first.
    /// </summary>
    public void ApplyWithBias(ReadOnlySpan<float> src, Span<float> dst, int channel, float bias)
    {
        var pass = new BiasPass(src, dst, bias);
        if (TryDispatch(channel, ref pass)) return;
        System.Numerics.Tensors.TensorPrimitives.Add(src, bias, dst);
        if (!IsNone) Apply(dst, channel);
    }

    /// <summary>dst = op(src + bias) in one pass.</summary>
    private readonly ref struct BiasPass(ReadOnlySpan<float> src, Span<float> dst, float bias) : IEpilogueConsumer
    {
        private readonly ReadOnlySpan<float> _src = src;
        private readonly Span<float> _dst = dst;

        public void Run<TOp>(TOp op) where TOp : unmanaged, IUnaryOperator => Elementwise.Map(new BiasThenOp<TOp>(bias, op), _src, _dst);
    }

    /// <summary>Applies the epilogue in place to one output plane of channel <paramref name="channel"/>.</summary>
    public void Apply(Span<float> plane, int channel) => Apply(plane, plane, channel);

    /// <summary>
    /// dst = epilogue(src) for values of channel <paramref name="channel"/> (dst may be src): the affine map and a
    /// piecewise activation (or SiLU) in one pass; the other activations built on exp go over dst a second time.
    /// </summary>
    public void Apply(ReadOnlySpan<float> src, Span<float> dst, int channel)
    {
        if (_residual is not null)
        {
            ApplyWithResidual(src, dst, channel);
            return;
        }
        if (_scale is null)
        {
            if (_hasActivation) Activation.Forward(_activation, src, dst, _slope);
            else if (!Unsafe.AreSame(ref MemoryMarshal.GetReference(src), ref MemoryMarshal.GetReference(dst))) src.CopyTo(dst);
            return;
        }
        var affine = new AffineOp(_scale[channel], _shift[channel]);
        switch (_hasActivation ? _activation : (ActivationKind?)null)
        {
            case null: Elementwise.Map(affine, src, dst); return;
            case ActivationKind.Relu: Elementwise.Map(new AffineThenOp<ReluOp>(affine, default), src, dst); return;
            case ActivationKind.Relu6: Elementwise.Map(new AffineThenOp<ClampOp>(affine, new ClampOp(0, 6)), src, dst); return;
            case ActivationKind.LeakyRelu: Elementwise.Map(new AffineThenOp<LeakyReluOp>(affine, new LeakyReluOp(_slope)), src, dst); return;
            case ActivationKind.HardSwish: Elementwise.Map(new AffineThenOp<HardSwishOp>(affine, default), src, dst); return;
            case ActivationKind.HardSigmoid: Elementwise.Map(new AffineThenOp<HardSigmoidOp>(affine, default), src, dst); return;
            case ActivationKind.Silu: Elementwise.Map(new AffineThenOp<SiluOp>(affine, default), src, dst); return;
            default:
                Elementwise.Map(affine, src, dst);
                Activation.Forward(_activation, dst, dst, _slope);
                return;
        }
    }

    /// <summary>dst = act(affine(src) + r) with r the residual's values at dst's position (see <see cref="WithResidual"/>).</summary>
    private void ApplyWithResidual(ReadOnlySpan<float> src, Span<float> dst, int channel)
    {
        float* at = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(dst));
        var r = new ReadOnlySpan<float>(_residual + (at - _output), dst.Length);
        bool relu = _hasActivation;
        if (_scale is null)
        {
            if (relu) Elementwise.Map(new AddThenOp<ReluOp>(default), src, r, dst, accumulate: false);
            else Elementwise.Map(new AddThenOp<IdentityOp>(default), src, r, dst, accumulate: false);
            return;
        }
        var affine = new AffineOp(_scale[channel], _shift[channel]);
        if (relu) Elementwise.Map(new AffineAddThenOp<ReluOp>(affine, default), src, r, dst, accumulate: false);
        else Elementwise.Map(new AffineAddThenOp<IdentityOp>(affine, default), src, r, dst, accumulate: false);
    }
}

/// <summary>A kernel that takes a convolution's epilogue as an operator type (<see cref="ConvEpilogue.TryDispatch"/>), so each compiles into it.</summary>
internal interface IEpilogueConsumer
{
    void Run<TOp>(TOp op) where TOp : unmanaged, IUnaryOperator;
}
