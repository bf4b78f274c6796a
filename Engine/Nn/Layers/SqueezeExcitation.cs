using System.Numerics.Tensors;
using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Kernels;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>
/// Squeeze-and-excitation (Hu et al. 2018) as torchvision builds it: s = mean over H, W of x; g = scale(fc2(act(fc1(s))))
/// with 1x1 convolutions fc1 (C to squeeze channels) and fc2 (back to C), both with bias; y = x * g broadcast over H, W.
/// EfficientNet uses SiLU and sigmoid; MobileNetV3 ReLU and hard-sigmoid.
/// </summary>
public sealed class SqueezeExcitation : Module
{
    private readonly Conv2d _fc1, _fc2;
    private readonly GlobalAvgPool2d _pool = new();
    private readonly ActivationLayer _activation, _scale;

    private sealed class Cache
    {
        public Tensor? Input;
        public Tensor? Gate;
    }

    /// <summary>Creates the block for <paramref name="channels"/> channels squeezed to <paramref name="squeezeChannels"/>.</summary>
    public SqueezeExcitation(int channels, int squeezeChannels, ActivationKind activation = ActivationKind.Relu,
        ActivationKind scaleActivation = ActivationKind.Sigmoid, SeededRandom? init = null)
    {
        Require(channels > 0 && squeezeChannels > 0, "channel counts must be positive");
        init ??= new SeededRandom(0);
        (Channels, SqueezeChannels) = (channels, squeezeChannels);
        _fc1 = RegisterModule("fc1", new Conv2d(channels, squeezeChannels, 1, init: init));
        _fc2 = RegisterModule("fc2", new Conv2d(squeezeChannels, channels, 1, init: init));
        _activation = new ActivationLayer(activation);
        _scale = new ActivationLayer(scaleActivation);
    }

    public int Channels { get; }
    public int SqueezeChannels { get; }

    /// <summary>The activation between the two 1x1 convolutions.</summary>
    public ActivationKind Activation => _activation.Kind;

    /// <summary>The activation that makes the channel gates.</summary>
    public ActivationKind ScaleActivation => _scale.Kind;

    /// <summary>
    /// The channel gates g [N, C, 1, 1] of <paramref name="input"/> without scaling it: a block whose next layer is a 1x1
    /// convolution hands them to it (<see cref="Conv2d.ForwardResidual"/>'s input scale) instead of writing x * g out.
    /// </summary>
    public Tensor Gate(Tensor input, StepContext context)
    {
        OutputShape(input.Shape.ToArray());
        Tensor s = _pool.Forward(input, context).Reshape(input.Dim(0), Channels, 1, 1);
        return _scale.Forward(_fc2.Forward(_activation.Forward(_fc1.Forward(s, context), context), context), context);
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        int n = input.Dim(0), c = Channels, hw = input.Dim(2) * input.Dim(3);
        Tensor gate = Gate(input, context);
        Tensor y = context.Rent(input.Shape);
        // Each plane times its gate, planes split over the threads (a single-threaded pass over an EfficientNet's
        // expanded activations left the second core idle).
        unsafe
        {
            fixed (float* px = input.Span, pg = gate.Span, py = y.Span)
                DeterministicParallel.For(n * c, context.Threads, Pool2d.PlanesPerChunk(hw), new ScalePlanesBody { X = px, Gate = pg, Y = py, PlaneSize = hw });
        }
        var cache = context.State<Cache>(this);
        (cache.Input, cache.Gate) = context.RecordForBackward ? (input, gate) : (null, null);
        return y;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        var cache = context.State<Cache>(this);
        Tensor x = cache.Input ?? throw new InvalidOperationException("SqueezeExcitation.Backward without a recorded forward pass.");
        int n = x.Dim(0), c = Channels, hw = x.Dim(2) * x.Dim(3);
        ReadOnlySpan<float> dy = outputGradient.Span, xs = x.Span, g = cache.Gate!.Span;
        Tensor dX = context.Rent(x.Shape);
        Tensor dGate = context.Rent(n, c, 1, 1);
        Span<float> dxs = dX.Span, dg = dGate.Span;
        for (int p = 0; p < n * c; p++)
        {
            ReadOnlySpan<float> dyp = dy.Slice(p * hw, hw);
            dg[p] = TensorPrimitives.Dot(dyp, xs.Slice(p * hw, hw));
            TensorPrimitives.Multiply(dyp, g[p], dxs.Slice(p * hw, hw));
        }
        Tensor dS = _fc1.Backward(_activation.Backward(_fc2.Backward(_scale.Backward(dGate, context), context), context), context);
        Tensor dPool = _pool.Backward(dS.Reshape(n, c), context);
        TensorPrimitives.Add(dxs, dPool.Span, dxs);
        return dX;
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape)
    {
        Require(inputShape.Length == 4 && inputShape[1] == Channels, $"expects [N, {Channels}, H, W] input, got {ShapeText(inputShape)}");
        return inputShape;
    }

    /// <inheritdoc />
    public override long MultiplyAdds(int[] inputShape)
    {
        OutputShape(inputShape);
        // The two 1x1 convolutions on the pooled vector (pooling and scaling count as zero, like the engine's other elementwise layers).
        return inputShape[0] * 2L * Channels * SqueezeChannels;
    }

    /// <summary>y[p, :] = x[p, :] * gate[p] for planes [p0, p1).</summary>
    private unsafe struct ScalePlanesBody : IChunkBody
    {
        public float* X, Gate, Y;
        public int PlaneSize;

        public readonly void Run(int p0, int p1)
        {
            for (int p = p0; p < p1; p++)
                TensorPrimitives.Multiply(new ReadOnlySpan<float>(X + (long)p * PlaneSize, PlaneSize), Gate[p], new Span<float>(Y + (long)p * PlaneSize, PlaneSize));
        }
    }
}
