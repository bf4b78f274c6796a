namespace MlPipelines.Model.Format;

/// <summary>Swaps element byte order in place (model files are little-endian; only big-endian hosts need this).</summary>
internal static class ByteOrder
{
    public static void Swap(Span<byte> data, int elementSize)
    {
        if (elementSize == 1) return;
        for (int i = 0; i + elementSize <= data.Length; i += elementSize) data.Slice(i, elementSize).Reverse();
    }
}
