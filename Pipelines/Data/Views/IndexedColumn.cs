namespace MlPipelines.Data.Views;

/// <summary>A column of a random-access view: values by row index, and batch copies.</summary>
internal abstract class IndexedColumn
{
    /// <summary>The column's type.</summary>
    public abstract DataViewType Type { get; }

    /// <summary>A <see cref="ValueGetter{TValue}"/> of the raw type reading the row <paramref name="state"/> is on.</summary>
    public abstract Delegate MakeGetter(RowCursorState state);

    /// <summary>This column seen through a row map (row i reads row map[i]).</summary>
    public abstract IndexedColumn Remap(RowMap map);

    /// <summary>Rows [first, first + count) as floats, <paramref name="width"/> per row.</summary>
    public abstract void CopyFloats(long first, int count, Span<float> destination, int width);

    /// <summary>The listed rows as floats, <paramref name="width"/> per row.</summary>
    public abstract void GatherFloats(ReadOnlySpan<long> rows, Span<float> destination, int width);

    /// <summary>The listed rows' values; <typeparamref name="TValue"/> must be the raw type.</summary>
    public abstract void GatherValues<TValue>(ReadOnlySpan<long> rows, Span<TValue> destination);
}
