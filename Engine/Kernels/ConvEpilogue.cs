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
    private readonly float* _scale, _shift;
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

    /// <summary>True when there is nothing to apply.</summary>
    public bool IsNone => _scale is null && !_hasActivation;

    /// <summary>Applies the epilogue in place to one output plane of channel <paramref name="channel"/>.</summary>
    public void Apply(Span<float> plane, int channel)
    {
        if (_scale is not null)
        {
            var affine = new AffineOp(_scale[channel], _shift[channel]);
            if (_hasActivation && _activation == ActivationKind.Relu)
            {
                Elementwise.Map(new AffineReluOp(affine), plane, plane);
                return;
            }
            Elementwise.Map(affine, plane, plane);
        }
        if (_hasActivation) Activation.Forward(_activation, plane, plane, _slope);
    }
}
