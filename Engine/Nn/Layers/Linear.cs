using System.Numerics.Tensors;
using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Init;
using MlPipelines.Engine.Kernels;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>y = x W^T + b over [N, in] (or [..., in]); weight [out, in].</summary>
public sealed class Linear : Module
{
    private readonly Parameter _weight;
    private readonly Parameter? _bias;

    private sealed class Cache
    {
        public Tensor? Input;
    }

    /// <summary>Creates the layer with PyTorch's default initialisation.</summary>
    public Linear(int inFeatures, int outFeatures, bool bias = true, SeededRandom? init = null)
    {
        Require(inFeatures > 0 && outFeatures > 0, "feature counts must be positive");
        (InFeatures, OutFeatures) = (inFeatures, outFeatures);
        _weight = RegisterParameter("weight", new Tensor(outFeatures, inFeatures));
        if (bias) _bias = RegisterParameter("bias", new Tensor(outFeatures), applyWeightDecay: false);
        Initializers.PyTorchDefault(_weight.Value, _bias?.Value, init ?? new SeededRandom(0));
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }

    /// <summary>The weight [out, in].</summary>
    public Parameter Weight => _weight;

    /// <summary>The bias [out], or null.</summary>
    public Parameter? Bias => _bias;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        if (input.Rank < 2 || input.Dim(-1) != InFeatures) OutputShape(input.Shape.ToArray());
        int rows = input.Length / InFeatures;
        Span<int> outShape = stackalloc int[input.Rank];
        input.Shape.CopyTo(outShape);
        outShape[^1] = OutFeatures;
        Tensor y = context.Rent(outShape);
        Gemm.Sgemm(false, true, rows, OutFeatures, InFeatures, 1, input.Span, InFeatures, _weight.Value.Span, InFeatures, 0, y.Span, OutFeatures, context.Threads);
        if (_bias is not null)
            for (int r = 0; r < rows; r++)
            {
                Span<float> row = y.Span.Slice(r * OutFeatures, OutFeatures);
                TensorPrimitives.Add(row, _bias.Value.Span, row);
            }
        if (context.RecordForBackward) context.State<Cache>(this).Input = input;
        return y;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        Tensor x = context.State<Cache>(this).Input ?? throw new InvalidOperationException("Linear.Backward without a recorded forward pass.");
        int rows = x.Length / InFeatures;
        ReadOnlySpan<float> dy = outputGradient.Span;
        if (_weight.RequiresGrad)
            Gemm.Sgemm(true, false, OutFeatures, InFeatures, rows, 1, dy, OutFeatures, x.Span, InFeatures, 1, _weight.Grad.Span, InFeatures, context.Threads);
        if (_bias is { RequiresGrad: true })
        {
            Span<float> db = _bias.Grad.Span;
            for (int r = 0; r < rows; r++) TensorPrimitives.Add(db, dy.Slice(r * OutFeatures, OutFeatures), db);
        }
        Tensor dX = context.Rent(x.Shape);
        Gemm.Sgemm(false, false, rows, InFeatures, OutFeatures, 1, dy, OutFeatures, _weight.Value.Span, InFeatures, 0, dX.Span, InFeatures, context.Threads);
        return dX;
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape)
    {
        Require(inputShape.Length >= 2 && inputShape[^1] == InFeatures, $"expects [..., {InFeatures}] input, got {ShapeText(inputShape)}");
        int[] shape = (int[])inputShape.Clone();
        shape[^1] = OutFeatures;
        return shape;
    }

    /// <inheritdoc />
    public override long MultiplyAdds(int[] inputShape) => (long)inputShape[..^1].Aggregate(1, (a, b) => a * b) * InFeatures * OutFeatures;
}
