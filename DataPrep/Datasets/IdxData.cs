namespace MlPipelines.DataPrep.Datasets;

/// <summary>The content of an IDX file: its dimensions and its unsigned-byte values, row-major.</summary>
/// <param name="Dimensions">Size of each dimension, e.g. [60000, 28, 28] for images or [60000] for labels.</param>
/// <param name="Data">The values.</param>
public sealed record IdxData(int[] Dimensions, byte[] Data)
{
    /// <summary>Number of items (the first dimension).</summary>
    public int Count => Dimensions[0];

    /// <summary>Values per item (product of the other dimensions).</summary>
    public int ItemSize => Dimensions.Length == 1 ? 1 : Dimensions[1..].Aggregate(1, (a, b) => a * b);

    /// <summary>The values of item <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Item(int index) => Data.AsSpan(index * ItemSize, ItemSize);
}
