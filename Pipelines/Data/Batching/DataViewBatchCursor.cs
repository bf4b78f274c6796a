using MlPipelines.Data.Storage;

namespace MlPipelines.Data;

/// <summary>
/// Reads a data view in batches of up to <see cref="BatchSize"/> rows and copies whole columns of a batch
/// into contiguous caller-owned buffers ([Count, ...] row-major): floats for numeric scalars and known-size
/// numeric vectors, zero-based class indexes for keys, values for anything else. Over cached or in-memory
/// data a batch is a few block copies, with no per-row delegate and no allocation per batch.
/// Get one from <see cref="BatchCursorExtensions.GetBatchCursor(IDataView, IEnumerable{DataViewSchema.Column}, int, Random?)"/>.
/// </summary>
public abstract class DataViewBatchCursor : IDisposable
{
    /// <summary>Creates a cursor over <paramref name="schema"/> with batches of up to <paramref name="batchSize"/> rows.</summary>
    protected DataViewBatchCursor(DataViewSchema schema, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        Schema = schema;
        BatchSize = batchSize;
    }

    /// <summary>The view's schema.</summary>
    public DataViewSchema Schema { get; }

    /// <summary>The largest number of rows in a batch.</summary>
    public int BatchSize { get; }

    /// <summary>Rows in the current batch (only the last batch may have fewer than <see cref="BatchSize"/>).</summary>
    public abstract int Count { get; }

    /// <summary>Ordinal of the current batch's first row among the rows this cursor yields (−1 before the first batch).</summary>
    public abstract long Position { get; }

    /// <summary>Moves to the next batch; false at the end.</summary>
    public abstract bool MoveNext();

    /// <summary>Whether <paramref name="column"/> was requested.</summary>
    public abstract bool IsColumnActive(DataViewSchema.Column column);

    /// <summary>
    /// Copies the batch's values of <paramref name="column"/> as floats, <see cref="GetFloatWidth"/> per row,
    /// into the first Count x width floats of <paramref name="destination"/>.
    /// </summary>
    public abstract void CopyFloats(DataViewSchema.Column column, Span<float> destination);

    /// <summary>Copies a key column as zero-based class indexes (key k gives k − 1; missing gives −1), or an Int32 column as is.</summary>
    public abstract void CopyKeys(DataViewSchema.Column column, Span<int> destination);

    /// <summary>Copies the batch's values of a column of raw type <typeparamref name="TValue"/> (e.g. images, text).</summary>
    public abstract void CopyValues<TValue>(DataViewSchema.Column column, Span<TValue> destination);

    /// <summary>Floats per row for columns of <paramref name="type"/>: 1 for numbers and booleans, the size for known-size numeric vectors.</summary>
    public static int GetFloatWidth(DataViewType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (!FloatConvert.TryGetWidth(type, out int width))
            throw new InvalidOperationException($"Columns of type {type} cannot be copied as floats: use a number, a boolean or a numeric vector of known size (keys go through CopyKeys).");
        return width;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the underlying cursor.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>Checks <paramref name="column"/> and the buffer for <see cref="CopyFloats"/>; returns the width.</summary>
    protected int CheckFloats(DataViewSchema.Column column, int destinationLength)
    {
        CheckActive(column);
        int width = GetFloatWidth(column.Type);
        CheckLength(column, destinationLength, (long)Count * width);
        return width;
    }

    /// <summary>Checks <paramref name="column"/> for <see cref="CopyKeys"/>; true for a key column, false for Int32.</summary>
    protected bool CheckKeys(DataViewSchema.Column column, int destinationLength)
    {
        CheckActive(column);
        if (column.Type is not KeyDataViewType && column.Type != NumberDataViewType.Int32)
            throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}; CopyKeys reads key or Int32 columns.");
        CheckLength(column, destinationLength, Count);
        return column.Type is KeyDataViewType;
    }

    /// <summary>Checks <paramref name="column"/> for <see cref="CopyValues"/>.</summary>
    protected void CheckValues<TValue>(DataViewSchema.Column column, int destinationLength)
    {
        CheckActive(column);
        if (column.Type.RawType != typeof(TValue))
            throw new InvalidOperationException($"Column '{column.Name}' has values of {column.Type.RawType.Name}, not {typeof(TValue).Name}.");
        CheckLength(column, destinationLength, Count);
    }

    private void CheckActive(DataViewSchema.Column column)
    {
        if (!IsColumnActive(column))
            throw new InvalidOperationException($"Column '{column.Name}' was not requested when the batch cursor was made.");
        if (Count == 0)
            throw new InvalidOperationException("The batch cursor is not on a batch: call MoveNext first (and only while it returns true).");
    }

    private static void CheckLength(DataViewSchema.Column column, int length, long needed)
    {
        if (length < needed)
            throw new ArgumentException($"The buffer for column '{column.Name}' holds {length} values; the batch needs {needed}.", "destination");
    }
}
