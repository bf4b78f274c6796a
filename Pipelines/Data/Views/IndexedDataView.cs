using MlPipelines.Data.Batching;
using MlPipelines.Internal;

namespace MlPipelines.Data.Views;

/// <summary>
/// Base of views with random access by row index (in-memory data, lists, caches and their subsets): known
/// row count, shuffling by permutation, cursor sets split into contiguous parts, and native batch cursors.
/// </summary>
internal abstract class IndexedDataView(DataViewSchema schema) : IDataView, IBatchCursorProvider
{
    public DataViewSchema Schema { get; } = schema;

    public bool CanShuffle => true;

    /// <summary>Number of rows (a cache may make a counting pass to learn it).</summary>
    public abstract long RowCount { get; }

    public virtual long? GetRowCount() => RowCount;

    /// <summary>Makes the <paramref name="active"/> columns readable (a cache fills them here).</summary>
    internal virtual void Prepare(bool[] active)
    {
    }

    /// <summary>Column <paramref name="index"/>, after <see cref="Prepare"/> covered it.</summary>
    internal abstract IndexedColumn GetColumn(int index);

    internal IndexedColumn?[] Open(bool[] active)
    {
        Prepare(active);
        var columns = new IndexedColumn?[active.Length];
        for (int i = 0; i < active.Length; i++)
            if (active[i]) columns[i] = GetColumn(i);
        return columns;
    }

    internal RowMap Order(Random? rand) => rand is null ? RowMap.Range(0, RowCount) : RowMap.Shuffled(RowCount, rand);

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var active = RowChecks.ActiveSet(Schema, columnsNeeded);
        var columns = Open(active);
        return new IndexedCursor(Schema, active, columns, Order(rand), 0);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        var active = RowChecks.ActiveSet(Schema, columnsNeeded);
        var columns = Open(active);
        var order = Order(rand);
        int parts = (int)Math.Max(1, Math.Min(n, order.Count));
        var cursors = new DataViewRowCursor[parts];
        for (int i = 0; i < parts; i++)
        {
            long start = order.Count * i / parts, end = order.Count * (i + 1) / parts;
            cursors[i] = new IndexedCursor(Schema, active, columns, order.Slice(start, end - start), i);
        }
        return cursors;
    }

    public DataViewBatchCursor GetBatchCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, int batchSize, Random? rand = null)
    {
        var active = RowChecks.ActiveSet(Schema, columnsNeeded);
        var columns = Open(active);
        return new IndexedBatchCursor(Schema, active, columns, Order(rand), batchSize);
    }
}
