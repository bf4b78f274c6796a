using MlPipelines.Engine.Kernels;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>Max pooling over [N, C, H, W] (overlapping windows, padding, dilation and ceil mode as PyTorch).</summary>
public sealed class MaxPool2d : Module
{
    private sealed class Cache
    {
        public int[] InputShape = [];
        public int[] Argmax = [];
    }

    /// <summary>Creates the layer; the stride defaults to the kernel size.</summary>
    public MaxPool2d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, int dilation = 1)
    {
        (KernelSize, Stride, Padding, CeilMode, Dilation) = (kernelSize, stride ?? kernelSize, padding, ceilMode, dilation);
        Require(KernelSize > 0 && Stride > 0 && Dilation > 0 && Padding >= 0, "kernel, stride and dilation must be positive");
    }

    public int KernelSize { get; }
    public int Stride { get; }
    public int Padding { get; }
    public bool CeilMode { get; }
    public int Dilation { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        var g = Geometry(input.Shape);
        Tensor y = context.Rent(g.Batch, g.Channels, g.OutHeight, g.OutWidth);
        if (!context.RecordForBackward)
        {
            Pool2d.MaxForward(input.Span, g, y.Span, [], context.Threads);
            return y;
        }
        var cache = context.State<Cache>(this);
        if (cache.Argmax.Length != g.OutputLength) cache.Argmax = new int[g.OutputLength];
        Pool2d.MaxForward(input.Span, g, y.Span, cache.Argmax, context.Threads);
        if (!input.Shape.SequenceEqual(cache.InputShape)) cache.InputShape = input.Shape.ToArray();
        return y;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        var cache = context.State<Cache>(this);
        var g = Geometry(cache.InputShape);
        Tensor dX = context.RentZeroed(cache.InputShape);
        Pool2d.MaxBackward(outputGradient.Span, cache.Argmax, g, dX.Span);
        return dX;
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape)
    {
        var g = Geometry(inputShape);
        return [g.Batch, g.Channels, g.OutHeight, g.OutWidth];
    }

    private Pool2dGeometry Geometry(ReadOnlySpan<int> s)
    {
        if (s.Length != 4) Require(false, $"expects [N, C, H, W] input, got {ShapeText(s.ToArray())}");
        return new Pool2dGeometry(s[0], s[1], s[2], s[3], KernelSize, KernelSize, Stride, Stride, Padding, Padding, CeilMode, Dilation, Dilation);
    }
}
