using MlPipelines.Data;
using MlPipelines.Data.Batching;
using MlPipelines.Internal;

namespace MlPipelines.Transforms;

/// <summary>The lazy output of a <see cref="ColumnMapperBase"/>: cursors compute only the requested added columns.</summary>
internal sealed class MappedDataView(IDataView input, ColumnMapperBase mapper) : IDataView, IBatchCursorProvider
{
    public bool CanShuffle => input.CanShuffle;

    public DataViewSchema Schema => mapper.OutputSchema;

    public long? GetRowCount() => input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var active = RowChecks.ActiveSet(Schema, columnsNeeded);
        var inner = input.GetRowCursor(RowChecks.Columns(input.Schema, mapper.InputActive(active)), rand);
        return Wrap(inner, active);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        var active = RowChecks.ActiveSet(Schema, columnsNeeded);
        var inner = input.GetRowCursorSet(RowChecks.Columns(input.Schema, mapper.InputActive(active)), n, rand);
        return inner.Select(c => Wrap(c, active)).ToArray();
    }

    private DataViewRowCursor Wrap(DataViewRowCursor inner, bool[] active) =>
        mapper is BatchColumnMapperBase batched ? new BatchedMappedCursor(inner, batched, active) : new Cursor(inner, new MappedRow(inner, mapper, active));

    public DataViewBatchCursor GetBatchCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, int batchSize, Random? rand = null)
    {
        var columns = columnsNeeded.ToList();
        var active = RowChecks.ActiveSet(Schema, columns);
        int n = input.Schema.Count;
        if (active.AsSpan(n).Contains(true))
            return new RowBatchCursor(GetRowCursor(columns, rand), active, batchSize);
        var inner = input.GetBatchCursor(RowChecks.Columns(input.Schema, active[..n]), batchSize, rand);
        return new ColumnMappedBatchCursor(inner, Schema, Enumerable.Range(0, Schema.Count).ToArray(), active);
    }

    private sealed class Cursor(DataViewRowCursor inner, MappedRow row) : DataViewRowCursor
    {
        public override long Position => inner.Position;

        public override long Batch => inner.Batch;

        public override DataViewSchema Schema => row.Schema;

        public override bool MoveNext() => inner.MoveNext();

        public override bool IsColumnActive(DataViewSchema.Column column) => row.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => row.GetGetter<TValue>(column);

        public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
