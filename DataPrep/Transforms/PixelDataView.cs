using MlPipelines.Data;
using MlPipelines.DataPrep.Data;

namespace MlPipelines.DataPrep.Transforms;

/// <summary>
/// The output of <see cref="PixelExtractingTransformer"/>: rows come from the lazily mapped view; batch cursors that
/// read the pixel column (with scalar columns beside it) use <see cref="ParallelPixelBatchCursor"/>, which extracts
/// straight into the caller's buffer.
/// </summary>
internal sealed class PixelDataView(IDataView input, IDataView mapped, PixelExtractingTransformer owner, DataViewSchema.Column imageColumn)
    : IDataView, IBatchCursorProvider
{
    public bool CanShuffle => mapped.CanShuffle;

    public DataViewSchema Schema => mapped.Schema;

    public long? GetRowCount() => mapped.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => mapped.GetRowCursor(columnsNeeded, rand);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        mapped.GetRowCursorSet(columnsNeeded, n, rand);

    public DataViewBatchCursor GetBatchCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, int batchSize, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var columns = columnsNeeded.ToList();
        int pixelIndex = input.Schema.Count;
        foreach (var c in columns)
            if (c.Index >= Schema.Count || !ReferenceEquals(Schema[c.Index].Type, c.Type) && !Schema[c.Index].Type.Equals(c.Type))
                throw new ArgumentException($"Column '{c.Name}' is not a column of this view.", nameof(columnsNeeded));
        if (!columns.Any(c => c.Index == pixelIndex)) return mapped.GetBatchCursor(columns, batchSize, rand);
        bool supported = columns.All(c => c.Index == pixelIndex || c.Type is PrimitiveDataViewType or StructuredDataViewType);
        if (!supported) return new RowsOnlyView(mapped).GetBatchCursor(columns, batchSize, rand);
        var declared = (ImageDataViewType)imageColumn.Type;
        return new ParallelPixelBatchCursor(input, Schema, columns, imageColumn, declared, pixelIndex, owner, batchSize, rand);
    }

    /// <summary>A view that hides its source's batch cursor, so rows are read through the row cursor.</summary>
    private sealed class RowsOnlyView(IDataView inner) : IDataView
    {
        public bool CanShuffle => inner.CanShuffle;

        public DataViewSchema Schema => inner.Schema;

        public long? GetRowCount() => inner.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => inner.GetRowCursor(columnsNeeded, rand);

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
            inner.GetRowCursorSet(columnsNeeded, n, rand);
    }
}
