using MlPipelines.Data.Storage;
using MlPipelines.Data.Views;
using MlPipelines.Internal;

namespace MlPipelines.Data.Batching;

/// <summary>
/// Batch cursor over a row cursor, for views that compute rows on the fly: each batch reads up to BatchSize rows
/// through the column getters into reusable buffers, then copies out like an indexed cursor.
/// </summary>
internal sealed class RowBatchCursor : DataViewBatchCursor
{
    private readonly DataViewRowCursor _cursor;
    private readonly bool[] _active;
    private readonly IndexedColumn?[] _buffers;
    private readonly Action<int>[] _fills;
    private readonly long[] _rows;
    private uint[]? _keys;
    private long _position = -1;
    private int _count;

    public RowBatchCursor(DataViewRowCursor cursor, bool[] active, int batchSize)
        : base(cursor.Schema, batchSize)
    {
        _cursor = cursor;
        _active = active;
        _buffers = new IndexedColumn?[active.Length];
        var fills = new List<Action<int>>();
        for (int i = 0; i < active.Length; i++)
        {
            if (!active[i]) continue;
            var column = cursor.Schema[i];
            var (buffer, fill) = GenericDispatch.Invoke(column.Type.RawType, new BufferFunc(cursor, column));
            _buffers[i] = buffer;
            fills.Add(fill);
        }
        _fills = [.. fills];
        _rows = new long[batchSize];
        for (int i = 0; i < batchSize; i++) _rows[i] = i;
    }

    public override int Count => _count;

    public override long Position => _position;

    public override bool MoveNext()
    {
        if (_count > 0 || _position < 0) _position = _position < 0 ? 0 : _position + _count;
        _count = 0;
        while (_count < BatchSize && _cursor.MoveNext())
        {
            foreach (var fill in _fills) fill(_count);
            _count++;
        }
        return _count > 0;
    }

    public override bool IsColumnActive(DataViewSchema.Column column)
    {
        Schema.CheckColumn(column, nameof(column));
        return _active[column.Index];
    }

    public override void CopyFloats(DataViewSchema.Column column, Span<float> destination)
    {
        int width = CheckFloats(column, destination.Length);
        _buffers[column.Index]!.CopyFloats(0, _count, destination, width);
    }

    public override void CopyKeys(DataViewSchema.Column column, Span<int> destination)
    {
        bool isKey = CheckKeys(column, destination.Length);
        var rows = _rows.AsSpan(0, _count);
        if (!isKey)
        {
            _buffers[column.Index]!.GatherValues<int>(rows, destination[.._count]);
            return;
        }
        _keys ??= new uint[BatchSize];
        _buffers[column.Index]!.GatherValues<uint>(rows, _keys.AsSpan(0, _count));
        for (int i = 0; i < _count; i++) destination[i] = (int)_keys[i] - 1;
    }

    public override void CopyValues<TValue>(DataViewSchema.Column column, Span<TValue> destination)
    {
        CheckValues<TValue>(column, destination.Length);
        _buffers[column.Index]!.GatherValues(_rows.AsSpan(0, _count), destination[.._count]);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _cursor.Dispose();
        base.Dispose(disposing);
    }

    private sealed class BufferFunc(DataViewRowCursor cursor, DataViewSchema.Column column) : IGenericFunc<(IndexedColumn, Action<int>)>
    {
        public (IndexedColumn, Action<int>) Invoke<T>()
        {
            var slots = (ValueSlots<T>)SlotsFactory.CreateMemory(column.Type, null);
            var getter = cursor.GetGetter<T>(column);
            T value = default!;
            return (new SlotsColumn<T>(column.Type, slots), i =>
            {
                getter(ref value);
                slots.Set(i, ref value);
            });
        }
    }
}
