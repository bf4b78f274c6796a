using MlPipelines.Internal;

namespace MlPipelines.Data.Views;

/// <summary>A view with one more column whose values are given in row order (indexed when the source is).</summary>
internal static class AppendedColumnView
{
    public static IDataView Create(IDataView source, DataViewSchema.DetachedColumn column, IndexedColumn values, long count)
    {
        var schema = new DataViewSchema.Builder().AddColumns(source.Schema).AddColumns([column]).ToSchema();
        return source is IndexedDataView indexed ? new Indexed(indexed, schema, values, count) : new Streaming(source, schema, values, count);
    }

    private static InvalidOperationException CountMismatch(long rows, long values) =>
        new($"The appended column has {values} values but the view has {(rows < 0 ? "more" : rows.ToString(System.Globalization.CultureInfo.InvariantCulture))} rows.");

    private sealed class Indexed(IndexedDataView source, DataViewSchema schema, IndexedColumn values, long count) : IndexedDataView(schema)
    {
        public override long RowCount
        {
            get
            {
                long rows = source.RowCount;
                return rows == count ? rows : throw CountMismatch(rows, count);
            }
        }

        internal override void Prepare(bool[] active)
        {
            _ = RowCount;
            source.Prepare(active[..source.Schema.Count]);
        }

        internal override IndexedColumn GetColumn(int index) => index < source.Schema.Count ? source.GetColumn(index) : values;
    }

    private sealed class Streaming(IDataView source, DataViewSchema schema, IndexedColumn values, long count) : IDataView
    {
        public bool CanShuffle => false;

        public DataViewSchema Schema => schema;

        public long? GetRowCount() => source.GetRowCount() is { } rows && rows != count ? throw CountMismatch(rows, count) : count;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            var active = RowChecks.ActiveSet(Schema, columnsNeeded);
            var inner = source.GetRowCursor(RowChecks.Columns(source.Schema, active[..source.Schema.Count]));
            return new Cursor(inner, schema, active, values, count);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
            [GetRowCursor(columnsNeeded, rand)];
    }

    private sealed class Cursor(DataViewRowCursor inner, DataViewSchema schema, bool[] active, IndexedColumn values, long count) : DataViewRowCursor
    {
        private readonly RowCursorState _state = new();
        private long _position = -1;

        public override long Position => _position;

        public override long Batch => 0;

        public override DataViewSchema Schema => schema;

        public override bool MoveNext()
        {
            if (!inner.MoveNext())
            {
                if (_position + 1 < count) throw CountMismatch(_position + 1, count);
                _state.Row = -1;
                return false;
            }
            if (++_position >= count) throw CountMismatch(-1, count);
            _state.Row = _position;
            return true;
        }

        public override bool IsColumnActive(DataViewSchema.Column column)
        {
            Schema.CheckColumn(column, nameof(column));
            return active[column.Index];
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            RowChecks.CheckGetter<TValue>(Schema, column, active[column.Index]);
            return column.Index < inner.Schema.Count ? inner.GetGetter<TValue>(inner.Schema[column.Index]) : (ValueGetter<TValue>)values.MakeGetter(_state);
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
