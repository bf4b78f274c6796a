using MlPipelines.Engine.Kernels;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>Average pooling over [N, C, H, W]; padded positions count in the divisor when <see cref="CountIncludePad"/> (PyTorch's default).</summary>
public sealed class AvgPool2d : Module
{
    private sealed class Cache
    {
        public int[] InputShape = [];
    }

    /// <summary>Creates the layer; the stride defaults to the kernel size.</summary>
    public AvgPool2d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true)
    {
        (KernelSize, Stride, Padding, CeilMode, CountIncludePad) = (kernelSize, stride ?? kernelSize, padding, ceilMode, countIncludePad);
        Require(KernelSize > 0 && Stride > 0 && Padding >= 0, "kernel and stride must be positive");
    }

    public int KernelSize { get; }
    public int Stride { get; }
    public int Padding { get; }
    public bool CeilMode { get; }
    public bool CountIncludePad { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        var g = Geometry(input.Shape.ToArray());
        Tensor y = context.Rent(g.Batch, g.Channels, g.OutHeight, g.OutWidth);
        Pool2d.AvgForward(input.Span, g, CountIncludePad, y.Span, context.Threads);
        context.State<Cache>(this).InputShape = input.Shape.ToArray();
        return y;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        int[] shape = context.State<Cache>(this).InputShape;
        Tensor dX = context.RentZeroed(shape);
        Pool2d.AvgBackward(outputGradient.Span, Geometry(shape), CountIncludePad, dX.Span);
        return dX;
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape)
    {
        var g = Geometry(inputShape);
        return [g.Batch, g.Channels, g.OutHeight, g.OutWidth];
    }

    private Pool2dGeometry Geometry(int[] s)
    {
        Require(s.Length == 4, $"expects [N, C, H, W] input, got {ShapeText(s)}");
        return new Pool2dGeometry(s[0], s[1], s[2], s[3], KernelSize, KernelSize, Stride, Stride, Padding, Padding, CeilMode);
    }
}
