namespace MlPipelines.Data;

/// <summary>
/// A data view with its own <see cref="DataViewBatchCursor"/> (block copies instead of per-row getters).
/// Views without one are read through a row cursor by <see cref="BatchCursorExtensions"/>.
/// </summary>
public interface IBatchCursorProvider
{
    /// <summary>A batch cursor over <paramref name="columnsNeeded"/>; rows shuffled by <paramref name="rand"/> when given.</summary>
    DataViewBatchCursor GetBatchCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, int batchSize, Random? rand = null);
}
