using MlPipelines.Internal;

namespace MlPipelines.Data.Views;

/// <summary>A cursor over an indexed view following a <see cref="RowMap"/> (in order, shuffled, or one part of a set).</summary>
internal sealed class IndexedCursor : DataViewRowCursor
{
    private readonly DataViewSchema _schema;
    private readonly bool[] _active;
    private readonly IndexedColumn?[] _columns;
    private readonly RowMap _order;
    private readonly RowCursorState _state = new();
    private readonly long _batch;
    private long _position = -1;

    public IndexedCursor(DataViewSchema schema, bool[] active, IndexedColumn?[] columns, RowMap order, long batch)
    {
        _schema = schema;
        _active = active;
        _columns = columns;
        _order = order;
        _batch = batch;
    }

    public override long Position => _position;

    public override long Batch => _batch;

    public override DataViewSchema Schema => _schema;

    public override bool MoveNext()
    {
        if (_position + 1 < _order.Count)
        {
            _position++;
            _state.Row = _order[_position];
            return true;
        }
        _state.Row = -1;
        return false;
    }

    public override bool IsColumnActive(DataViewSchema.Column column)
    {
        _schema.CheckColumn(column, nameof(column));
        return _active[column.Index];
    }

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        RowChecks.CheckGetter<TValue>(_schema, column, _active[column.Index]);
        return (ValueGetter<TValue>)_columns[column.Index]!.MakeGetter(_state);
    }

    public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) =>
    {
        long row = _state.Row;
        if (row < 0) throw RowChecks.NotOnRow();
        id = new DataViewRowId((ulong)row, 0);
    };
}
