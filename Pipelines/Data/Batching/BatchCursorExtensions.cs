using MlPipelines.Data.Batching;
using MlPipelines.Internal;

namespace MlPipelines.Data;

/// <summary>Batch cursors over any data view.</summary>
public static class BatchCursorExtensions
{
    /// <summary>
    /// A batch cursor over <paramref name="columnsNeeded"/> of <paramref name="data"/>: the view's own when it is an
    /// <see cref="IBatchCursorProvider"/> (cached, in-memory and pass-through views), otherwise one that buffers
    /// rows from a row cursor. Rows are shuffled by <paramref name="rand"/> when given and the view can shuffle.
    /// </summary>
    public static DataViewBatchCursor GetBatchCursor(this IDataView data, IEnumerable<DataViewSchema.Column> columnsNeeded, int batchSize, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var columns = columnsNeeded.ToList();
        if (data is IBatchCursorProvider provider) return provider.GetBatchCursor(columns, batchSize, rand);
        var active = RowChecks.ActiveSet(data.Schema, columns);
        return new RowBatchCursor(data.GetRowCursor(columns, rand), active, batchSize);
    }

    /// <summary>A batch cursor over the named columns, in order.</summary>
    public static DataViewBatchCursor GetBatchCursor(this IDataView data, int batchSize, params string[] columnNames)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(columnNames);
        return data.GetBatchCursor(columnNames.Select(n => data.Schema[n]), batchSize);
    }
}
