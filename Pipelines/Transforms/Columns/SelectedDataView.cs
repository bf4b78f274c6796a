using MlPipelines.Data;
using MlPipelines.Data.Batching;
using MlPipelines.Internal;

namespace MlPipelines.Transforms;

/// <summary>A view exposing some columns of its input under new indexes.</summary>
internal sealed class SelectedDataView(IDataView input, DataViewSchema schema, int[] map) : IDataView, IBatchCursorProvider
{
    public bool CanShuffle => input.CanShuffle;

    public DataViewSchema Schema => schema;

    public long? GetRowCount() => input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var active = RowChecks.ActiveSet(schema, columnsNeeded);
        return new SelectedCursor(input.GetRowCursor(RowChecks.Columns(input.Schema, InnerActive(input.Schema, active, map)), rand), schema, map, active);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        var active = RowChecks.ActiveSet(schema, columnsNeeded);
        return input.GetRowCursorSet(RowChecks.Columns(input.Schema, InnerActive(input.Schema, active, map)), n, rand)
            .Select(c => (DataViewRowCursor)new SelectedCursor(c, schema, map, active)).ToArray();
    }

    public DataViewBatchCursor GetBatchCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, int batchSize, Random? rand = null)
    {
        var active = RowChecks.ActiveSet(schema, columnsNeeded);
        var inner = input.GetBatchCursor(RowChecks.Columns(input.Schema, InnerActive(input.Schema, active, map)), batchSize, rand);
        return new ColumnMappedBatchCursor(inner, schema, map, active);
    }

    internal static bool[] InnerActive(DataViewSchema inputSchema, bool[] active, int[] map)
    {
        var inner = new bool[inputSchema.Count];
        for (int i = 0; i < active.Length; i++)
            if (active[i]) inner[map[i]] = true;
        return inner;
    }

    private sealed class SelectedCursor(DataViewRowCursor inner, DataViewSchema schema, int[] map, bool[] active) : DataViewRowCursor
    {
        private readonly SelectedRow _row = new(inner, schema, map, active);

        public override long Position => inner.Position;

        public override long Batch => inner.Batch;

        public override DataViewSchema Schema => schema;

        public override bool MoveNext() => inner.MoveNext();

        public override bool IsColumnActive(DataViewSchema.Column column) => _row.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _row.GetGetter<TValue>(column);

        public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}

/// <summary>A row exposing some columns of an input row under new indexes.</summary>
internal sealed class SelectedRow(DataViewRow input, DataViewSchema schema, int[] map, bool[] active) : DataViewRow
{
    public override long Position => input.Position;

    public override long Batch => input.Batch;

    public override DataViewSchema Schema => schema;

    public override bool IsColumnActive(DataViewSchema.Column column)
    {
        schema.CheckColumn(column, nameof(column));
        return active[column.Index];
    }

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        RowChecks.CheckGetter<TValue>(schema, column, active[column.Index]);
        return input.GetGetter<TValue>(input.Schema[map[column.Index]]);
    }

    public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();
}
