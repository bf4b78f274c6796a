using MlPipelines.Data;
using MlPipelines.Data.Storage;
using MlPipelines.Data.Views;
using MlPipelines.Internal;

namespace MlPipelines.Transforms;

/// <summary>A cursor over a <see cref="BatchColumnMapperBase"/>'s output: reads a batch of input rows ahead, computes, then yields them.</summary>
internal sealed class BatchedMappedCursor : DataViewRowCursor
{
    private readonly DataViewRowCursor _inner;
    private readonly BatchColumnMapperBase _mapper;
    private readonly bool[] _active;
    private readonly IndexedColumn?[] _passThrough;
    private readonly Action<int>[] _stores;
    private readonly ColumnBatchWorker? _worker;
    private readonly Delegate?[] _outputs;
    private readonly DataViewRowId[] _ids;
    private readonly ValueGetter<DataViewRowId> _innerIds;
    private readonly RowCursorState _state = new();
    private int _count;
    private int _slot = -1;
    private long _position = -1;

    public BatchedMappedCursor(DataViewRowCursor inner, BatchColumnMapperBase mapper, bool[] active)
    {
        _inner = inner;
        _mapper = mapper;
        _active = active;
        int n = mapper.InputSchema.Count;
        _passThrough = new IndexedColumn?[n];
        var stores = new List<Action<int>>();
        for (int i = 0; i < n; i++)
        {
            if (!active[i]) continue;
            var (column, store) = GenericDispatch.Invoke(inner.Schema[i].Type.RawType, new BufferFunc(inner, inner.Schema[i]));
            _passThrough[i] = column;
            stores.Add(store);
        }
        _stores = [.. stores];
        _outputs = new Delegate?[mapper.OutputColumns.Count];
        if (Enumerable.Range(0, _outputs.Length).Any(j => active[n + j]))
        {
            _worker = mapper.CreateWorker(inner, j => active[n + j]);
            for (int j = 0; j < _outputs.Length; j++)
                if (active[n + j]) _outputs[j] = _worker.GetGetter(j, Slot);
        }
        _ids = new DataViewRowId[mapper.BatchSize];
        _innerIds = inner.GetIdGetter();
    }

    public override long Position => _position;

    public override long Batch => _inner.Batch;

    public override DataViewSchema Schema => _mapper.OutputSchema;

    public override bool MoveNext()
    {
        if (_slot + 1 < _count)
        {
            _state.Row = ++_slot;
            _position++;
            return true;
        }
        _count = 0;
        while (_count < _mapper.BatchSize && _inner.MoveNext())
        {
            foreach (var store in _stores) store(_count);
            _innerIds(ref _ids[_count]);
            _worker?.AddRow(_count);
            _count++;
        }
        if (_count == 0)
        {
            _slot = -1;
            _state.Row = -1;
            return false;
        }
        _worker?.Compute(_count);
        _slot = 0;
        _state.Row = 0;
        _position++;
        return true;
    }

    public override bool IsColumnActive(DataViewSchema.Column column)
    {
        Schema.CheckColumn(column, nameof(column));
        return _active[column.Index];
    }

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        RowChecks.CheckGetter<TValue>(Schema, column, _active[column.Index]);
        int n = _mapper.InputSchema.Count;
        if (column.Index < n) return (ValueGetter<TValue>)_passThrough[column.Index]!.MakeGetter(_state);
        return _outputs[column.Index - n] as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"{_mapper.GetType().Name} made no getter of {typeof(TValue).Name} for column '{column.Name}'.");
    }

    public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = _ids[Slot()];

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }

    private int Slot() => _slot >= 0 ? _slot : throw RowChecks.NotOnRow();

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
