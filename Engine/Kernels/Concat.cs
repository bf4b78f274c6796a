namespace MlPipelines.Engine.Kernels;

/// <summary>Concatenation along one axis and its backward (splitting the gradient).</summary>
internal static class Concat
{
    /// <summary>
    /// Copies each input into its slot of the output. Every input is [outer, size_i, inner] and the output is
    /// [outer, sum size_i, inner].
    /// </summary>
    public static void Forward(IReadOnlyList<float[]> inputs, IReadOnlyList<int> sizes, int outer, int inner, Span<float> y)
    {
        int total = sizes.Sum();
        int offset = 0;
        for (int t = 0; t < inputs.Count; t++)
        {
            int block = sizes[t] * inner;
            for (int o = 0; o < outer; o++)
                inputs[t].AsSpan(o * block, block).CopyTo(y.Slice(o * total * inner + offset * inner, block));
            offset += sizes[t];
        }
    }

    /// <summary>dX_t += its slot of dY.</summary>
    public static void Backward(ReadOnlySpan<float> dY, IReadOnlyList<int> sizes, int outer, int inner, IReadOnlyList<float[]> dXs)
    {
        int total = sizes.Sum();
        int offset = 0;
        for (int t = 0; t < sizes.Count; t++)
        {
            int block = sizes[t] * inner;
            for (int o = 0; o < outer; o++)
            {
                Span<float> dst = dXs[t].AsSpan(o * block, block);
                System.Numerics.Tensors.TensorPrimitives.Add(dst, dY.Slice(o * total * inner + offset * inner, block), dst);
            }
            offset += sizes[t];
        }
    }
}
