using MlPipelines.Data.Views;

namespace MlPipelines.Data.Batching;

/// <summary>
/// Batch cursor over columns with random access: a batch is a slice of the row order; contiguous slices are
/// copied as blocks, shuffled ones row by row from the store, with no delegates and no allocation per batch.
/// </summary>
internal sealed class IndexedBatchCursor : DataViewBatchCursor
{
    private readonly bool[] _active;
    private readonly IndexedColumn?[] _columns;
    private readonly RowMap _order;
    private readonly long[] _rows;
    private uint[]? _keys;
    private long _start;
    private int _count;
    private bool _rowsReady;

    public IndexedBatchCursor(DataViewSchema schema, bool[] active, IndexedColumn?[] columns, RowMap order, int batchSize)
        : base(schema, batchSize)
    {
        _active = active;
        _columns = columns;
        _order = order;
        _rows = new long[batchSize];
        _start = -batchSize;
    }

    public override int Count => _count;

    public override long Position => _count == 0 && _start < 0 ? -1 : _start;

    public override bool MoveNext()
    {
        long next = _start < 0 ? 0 : _start + _count;
        _rowsReady = false;
        if (next >= _order.Count)
        {
            _start = _order.Count;
            _count = 0;
            return false;
        }
        _start = next;
        _count = (int)Math.Min(BatchSize, _order.Count - next);
        return true;
    }

    public override bool IsColumnActive(DataViewSchema.Column column)
    {
        Schema.CheckColumn(column, nameof(column));
        return _active[column.Index];
    }

    public override void CopyFloats(DataViewSchema.Column column, Span<float> destination)
    {
        int width = CheckFloats(column, destination.Length);
        var source = _columns[column.Index]!;
        if (_order.IsContiguous) source.CopyFloats(_order[_start], _count, destination, width);
        else source.GatherFloats(_order.Span(_start, _count), destination, width);
    }

    public override void CopyKeys(DataViewSchema.Column column, Span<int> destination)
    {
        bool isKey = CheckKeys(column, destination.Length);
        var source = _columns[column.Index]!;
        if (!isKey)
        {
            source.GatherValues(Rows(), destination[.._count]);
            return;
        }
        _keys ??= new uint[BatchSize];
        source.GatherValues(Rows(), _keys.AsSpan(0, _count));
        for (int i = 0; i < _count; i++) destination[i] = (int)_keys[i] - 1;
    }

    public override void CopyValues<TValue>(DataViewSchema.Column column, Span<TValue> destination)
    {
        CheckValues<TValue>(column, destination.Length);
        _columns[column.Index]!.GatherValues(Rows(), destination[.._count]);
    }

    private ReadOnlySpan<long> Rows()
    {
        if (!_order.IsContiguous) return _order.Span(_start, _count);
        if (!_rowsReady)
        {
            long first = _order[_start];
            for (int i = 0; i < _count; i++) _rows[i] = first + i;
            _rowsReady = true;
        }
        return _rows.AsSpan(0, _count);
    }
}
