using LnKernel = MlPipelines.Engine.Kernels.LayerNorm;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>Layer normalisation over the last dimension (of size <see cref="NormalizedSize"/>), with optional elementwise affine.</summary>
public sealed class LayerNorm : Module
{
    private readonly Parameter? _weight;
    private readonly Parameter? _bias;

    private sealed class Cache
    {
        public Tensor? Input;
        public float[] Mean = [];
        public float[] InvStd = [];
    }

    /// <summary>Creates the layer (gamma 1, beta 0).</summary>
    public LayerNorm(int normalizedSize, float eps = 1e-5f, bool elementwiseAffine = true)
    {
        Require(normalizedSize > 0, "the normalised size must be positive");
        (NormalizedSize, Eps) = (normalizedSize, eps);
        if (elementwiseAffine)
        {
            _weight = RegisterParameter("weight", new Tensor(normalizedSize), applyWeightDecay: false);
            _weight.Value.Fill(1);
            _bias = RegisterParameter("bias", new Tensor(normalizedSize), applyWeightDecay: false);
        }
    }

    public int NormalizedSize { get; }
    public float Eps { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        OutputShape(input.Shape.ToArray());
        int rows = input.Length / NormalizedSize;
        var cache = context.State<Cache>(this);
        if (cache.Mean.Length < rows)
        {
            cache.Mean = new float[rows];
            cache.InvStd = new float[rows];
        }
        Tensor y = context.Rent(input.Shape);
        LnKernel.Forward(input.Span, _weight is null ? [] : _weight.Value.Span, _bias is null ? [] : _bias.Value.Span, rows, NormalizedSize, Eps,
            y.Span, cache.Mean, cache.InvStd);
        cache.Input = context.RecordForBackward ? input : null;
        return y;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        var cache = context.State<Cache>(this);
        Tensor x = cache.Input ?? throw new InvalidOperationException("LayerNorm.Backward without a recorded forward pass.");
        int rows = x.Length / NormalizedSize;
        Tensor dX = context.RentZeroed(x.Shape);
        LnKernel.Backward(x.Span, outputGradient.Span, _weight is null ? [] : _weight.Value.Span, cache.Mean, cache.InvStd, rows, NormalizedSize, dX.Span,
            _weight is { RequiresGrad: true } ? _weight.Grad.Span : [], _bias is { RequiresGrad: true } ? _bias.Grad.Span : []);
        return dX;
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape)
    {
        Require(inputShape.Length >= 1 && inputShape[^1] == NormalizedSize, $"expects [..., {NormalizedSize}] input, got {ShapeText(inputShape)}");
        return inputShape;
    }
}
