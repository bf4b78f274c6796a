using System.Numerics.Tensors;
using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Init;
using MlPipelines.Engine.Kernels;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>
/// Multi-head scaled dot-product self-attention over tokens [N, L, D] with PyTorch's nn.MultiheadAttention parameters:
/// in_proj_weight [3D, D] and in_proj_bias [3D] (queries, keys, values stacked), out_proj (Linear D to D). Each of the H
/// heads attends with softmax(Q K^T / sqrt(D / H)) V over its D / H slice; no mask, no attention dropout.
/// </summary>
public sealed class MultiheadSelfAttention : Module
{
    private readonly Parameter _inWeight, _inBias;
    private readonly Linear _outProj;

    private sealed class Cache
    {
        public Tensor? Input;
        public Tensor? Qkv;
        public Tensor? Probabilities;
    }

    /// <summary>Creates the layer: Xavier-uniform projections, zero biases (PyTorch's initialisation).</summary>
    public MultiheadSelfAttention(int embedDim, int heads, SeededRandom? init = null)
    {
        Require(embedDim > 0 && heads > 0 && embedDim % heads == 0, $"heads ({heads}) must divide the embedding size ({embedDim})");
        init ??= new SeededRandom(0);
        (EmbedDim, Heads) = (embedDim, heads);
        _inWeight = RegisterParameter("in_proj_weight", new Tensor(3 * embedDim, embedDim));
        _inBias = RegisterParameter("in_proj_bias", new Tensor(3 * embedDim), applyWeightDecay: false);
        _outProj = RegisterModule("out_proj", new Linear(embedDim, embedDim, init: init));
        Initializers.XavierUniform(_inWeight.Value, init);
        _outProj.Bias!.Value.Clear();
    }

    public int EmbedDim { get; }
    public int Heads { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        OutputShape(input.Shape.ToArray());
        int n = input.Dim(0), l = input.Dim(1), d = EmbedDim, dh = d / Heads, rows = n * l;
        Tensor qkv = context.Rent(n, l, 3 * d);
        Gemm.Sgemm(false, true, rows, 3 * d, d, 1, input.Span, d, _inWeight.Value.Span, d, 0, qkv.Span, 3 * d, context.Threads);
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = qkv.Span.Slice(r * 3 * d, 3 * d);
            TensorPrimitives.Add(row, _inBias.Value.Span, row);
        }
        Tensor probabilities = context.Rent(n, Heads, l, l);
        Tensor attended = context.Rent(n, l, d);
        float scale = 1 / MathF.Sqrt(dh);
        for (int b = 0; b < n; b++)
        {
            ReadOnlySpan<float> q = qkv.Span.Slice(b * l * 3 * d);
            for (int h = 0; h < Heads; h++)
            {
                Span<float> p = probabilities.Span.Slice((b * Heads + h) * l * l, l * l);
                Gemm.Sgemm(false, true, l, l, dh, scale, q[(h * dh)..], 3 * d, q[(d + h * dh)..], 3 * d, 0, p, l);
                Softmax.Forward(p, l, l, p);
                Gemm.Sgemm(false, false, l, dh, l, 1, p, l, q[(2 * d + h * dh)..], 3 * d, 0, attended.Span.Slice(b * l * d + h * dh), d);
            }
        }
        if (context.RecordForBackward)
        {
            var cache = context.State<Cache>(this);
            (cache.Input, cache.Qkv, cache.Probabilities) = (input, qkv, probabilities);
        }
        return _outProj.Forward(attended, context);
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        var cache = context.State<Cache>(this);
        Tensor x = cache.Input ?? throw new InvalidOperationException("MultiheadSelfAttention.Backward without a recorded forward pass.");
        int n = x.Dim(0), l = x.Dim(1), d = EmbedDim, dh = d / Heads, rows = n * l;
        float scale = 1 / MathF.Sqrt(dh);
        Tensor dAttended = _outProj.Backward(outputGradient, context);
        Tensor dQkv = context.Rent(n, l, 3 * d);
        Tensor dP = context.Rent(l, l);
        Tensor dS = context.Rent(l, l);
        for (int b = 0; b < n; b++)
        {
            ReadOnlySpan<float> q = cache.Qkv!.Span.Slice(b * l * 3 * d);
            Span<float> dq = dQkv.Span.Slice(b * l * 3 * d);
            ReadOnlySpan<float> dO = dAttended.Span.Slice(b * l * d);
            for (int h = 0; h < Heads; h++)
            {
                ReadOnlySpan<float> p = cache.Probabilities!.Span.Slice((b * Heads + h) * l * l, l * l);
                // dP = dO_h V_h^T, dV_h = P^T dO_h
                Gemm.Sgemm(false, true, l, l, dh, 1, dO[(h * dh)..], d, q[(2 * d + h * dh)..], 3 * d, 0, dP.Span, l);
                Gemm.Sgemm(true, false, l, dh, l, 1, p, l, dO[(h * dh)..], d, 0, dq[(2 * d + h * dh)..], 3 * d);
                dS.Clear();
                Softmax.Backward(p, dP.Span, l, l, dS.Span);
                // S = scale Q K^T: dQ = scale dS K, dK = scale dS^T Q
                Gemm.Sgemm(false, false, l, dh, l, scale, dS.Span, l, q[(d + h * dh)..], 3 * d, 0, dq[(h * dh)..], 3 * d);
                Gemm.Sgemm(true, false, l, dh, l, scale, dS.Span, l, q[(h * dh)..], 3 * d, 0, dq[(d + h * dh)..], 3 * d);
            }
        }
        if (_inWeight.RequiresGrad)
            Gemm.Sgemm(true, false, 3 * d, d, rows, 1, dQkv.Span, 3 * d, x.Span, d, 1, _inWeight.Grad.Span, d, context.Threads);
        if (_inBias.RequiresGrad)
            for (int r = 0; r < rows; r++) TensorPrimitives.Add(_inBias.Grad.Span, dQkv.Span.Slice(r * 3 * d, 3 * d), _inBias.Grad.Span);
        Tensor dX = context.Rent(x.Shape);
        Gemm.Sgemm(false, false, rows, d, 3 * d, 1, dQkv.Span, 3 * d, _inWeight.Value.Span, d, 0, dX.Span, d, context.Threads);
        return dX;
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape)
    {
        Require(inputShape.Length == 3 && inputShape[2] == EmbedDim, $"expects [N, L, {EmbedDim}] tokens, got {ShapeText(inputShape)}");
        return inputShape;
    }

    /// <inheritdoc />
    public override long MultiplyAdds(int[] inputShape)
    {
        OutputShape(inputShape);
        long n = inputShape[0], l = inputShape[1], d = EmbedDim;
        // Projections in and out, Q K^T and P V over all heads.
        return n * l * d * 3 * d + 2 * n * l * l * d + _outProj.MultiplyAdds(inputShape);
    }
}
