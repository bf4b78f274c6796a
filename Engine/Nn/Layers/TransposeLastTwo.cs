using TransposeKernel = MlPipelines.Engine.Kernels.Transpose;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>
/// Swaps the last two dimensions, [..., A, B] to [..., B, A] (a copy). With <see cref="FlattenImage"/> it first views an
/// image [N, C, H, W] as [N, C, H x W], turning feature maps into a sequence of H x W tokens of C features ([N, H x W, C]),
/// as the patch embeddings of ViT and MLP-Mixer do.
/// </summary>
public sealed class TransposeLastTwo : Module
{
    private sealed class Cache
    {
        public int[] InputShape = [];
    }

    /// <summary>Creates the layer; <paramref name="flattenImage"/> turns [N, C, H, W] into tokens [N, H x W, C].</summary>
    public TransposeLastTwo(bool flattenImage = false) => FlattenImage = flattenImage;

    /// <summary>Whether a 4-D input is viewed as [N, C, H x W] first.</summary>
    public bool FlattenImage { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input, StepContext context)
    {
        int[] shape = input.Shape.ToArray();
        int[] outShape = OutputShape(shape);
        var (batch, rows, cols) = Dims(shape);
        Tensor y = context.Rent(outShape);
        TransposeKernel.LastTwo(input.Span, batch, rows, cols, y.Span);
        context.State<Cache>(this).InputShape = shape;
        return y;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor outputGradient, StepContext context)
    {
        int[] shape = context.State<Cache>(this).InputShape;
        if (shape.Length == 0) throw new InvalidOperationException("TransposeLastTwo.Backward without a recorded forward pass.");
        var (batch, rows, cols) = Dims(shape);
        Tensor dX = context.Rent(shape);
        TransposeKernel.LastTwo(outputGradient.Span, batch, cols, rows, dX.Span);
        return dX;
    }

    /// <inheritdoc />
    public override int[] OutputShape(int[] inputShape)
    {
        if (FlattenImage)
        {
            Require(inputShape.Length == 4, $"expects [N, C, H, W] input, got {ShapeText(inputShape)}");
            return [inputShape[0], inputShape[2] * inputShape[3], inputShape[1]];
        }
        Require(inputShape.Length >= 2, $"expects at least two dimensions, got {ShapeText(inputShape)}");
        int[] s = (int[])inputShape.Clone();
        (s[^1], s[^2]) = (s[^2], s[^1]);
        return s;
    }

    private (int Batch, int Rows, int Cols) Dims(int[] shape)
    {
        if (FlattenImage) return (shape[0], shape[1], shape[2] * shape[3]);
        int batch = 1;
        for (int i = 0; i < shape.Length - 2; i++) batch *= shape[i];
        return (batch, shape[^2], shape[^1]);
    }
}
