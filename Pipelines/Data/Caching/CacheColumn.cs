using MlPipelines.Data.Storage;
using MlPipelines.Data.Views;
using MlPipelines.Internal;

namespace MlPipelines.Data.Caching;

/// <summary>One cached column: filled in one pass over the source, in memory or on disk, then read-only.</summary>
internal abstract class CacheColumn
{
    public abstract DataViewSchema.Column Source { get; }

    public abstract bool OnDisk { get; }

    public abstract long MemoryBytes { get; }

    /// <summary>The readable column (after <see cref="Seal"/>).</summary>
    public abstract IndexedColumn Column { get; }

    public abstract void Begin(DataViewRowCursor cursor);

    public abstract void StoreRow();

    /// <summary>Moves the values stored so far to disk and keeps appending there.</summary>
    public abstract void Spill(string folder, ComponentCatalog? catalog);

    public abstract void Seal();

    public abstract void Release();

    public static CacheColumn Create(DataViewSchema.Column column, bool onDisk, string folder, ComponentCatalog? catalog) =>
        GenericDispatch.Invoke(column.Type.RawType, new CreateFunc(column, onDisk, folder, catalog));

    internal static InvalidOperationException NotOnDisk(DataViewSchema.Column column) =>
        new($"Column '{column.Name}' of type {column.Type} cannot be cached on disk (its values have no binary form; a custom type must " +
            "override CanSerialize); cache it in memory or raise the memory bound.");

    private sealed class CreateFunc(DataViewSchema.Column column, bool onDisk, string folder, ComponentCatalog? catalog) : IGenericFunc<CacheColumn>
    {
        public CacheColumn Invoke<T>()
        {
            object slots = onDisk
                ? SlotsFactory.CreateDisk(column.Type, catalog, folder) ?? throw NotOnDisk(column)
                : SlotsFactory.CreateMemory(column.Type, catalog);
            return new CacheColumn<T>(column, (ValueSlots<T>)slots);
        }
    }
}

/// <summary>A cached column of raw type <typeparamref name="T"/>.</summary>
internal sealed class CacheColumn<T>(DataViewSchema.Column source, ValueSlots<T> slots) : CacheColumn
{
    private ValueSlots<T> _slots = slots;
    private ValueGetter<T>? _getter;
    private T _value = default!;
    private IndexedColumn? _column;

    public override DataViewSchema.Column Source => source;

    public override bool OnDisk => _slots is DiskSlots<T>;

    public override long MemoryBytes => _slots.BytesUsed;

    public override IndexedColumn Column => _column ?? throw new InvalidOperationException("The cached column is not filled yet.");

    public override void Begin(DataViewRowCursor cursor) => _getter = cursor.GetGetter<T>(cursor.Schema[source.Index]);

    public override void StoreRow()
    {
        _getter!(ref _value);
        _slots.Append(ref _value);
    }

    public override void Spill(string folder, ComponentCatalog? catalog)
    {
        if (OnDisk) return;
        var disk = (ValueSlots<T>?)SlotsFactory.CreateDisk(source.Type, catalog, folder) ?? throw NotOnDisk(source);
        T value = default!;
        for (long i = 0; i < _slots.Count; i++)
        {
            _slots.Get(i, ref value);
            disk.Append(ref value);
        }
        _slots.Release();
        _slots = disk;
    }

    public override void Seal()
    {
        _getter = null;
        _value = default!;
        _slots.Seal();
        _column = new SlotsColumn<T>(source.Type, _slots);
    }

    public override void Release() => _slots.Release();
}
