using System.Runtime.CompilerServices;
using MlPipelines.Internal;

namespace MlPipelines.Data.Storage;

/// <summary>Creates the memory or disk store suited to a column type.</summary>
internal static class SlotsFactory
{
    /// <summary>A memory <see cref="ValueSlots{T}"/> for <paramref name="type"/>'s raw type.</summary>
    public static object CreateMemory(DataViewType type, ComponentCatalog? catalog) =>
        GenericDispatch.Invoke(type.RawType, new MemoryFunc(type, catalog));

    /// <summary>A disk <see cref="ValueSlots{T}"/> for <paramref name="type"/>'s raw type, or null when its values cannot be written.</summary>
    public static object? CreateDisk(DataViewType type, ComponentCatalog? catalog, string folder)
    {
        object? codec = ValueCodecs.Create(type, catalog);
        return codec is null ? null : Activator.CreateInstance(typeof(DiskSlots<>).MakeGenericType(type.RawType), codec, folder);
    }

    private sealed class MemoryFunc(DataViewType type, ComponentCatalog? catalog) : IGenericFunc<object>
    {
        public object Invoke<T>()
        {
            if (type is VectorDataViewType v)
                return GenericDispatch.Invoke(v.ItemType.RawType, new VectorFunc(v));
            if (typeof(T) == typeof(ReadOnlyMemory<char>))
                return new ScalarSlots<ReadOnlyMemory<char>>(m => 24 + 2L * m.Length);
            if (type is StructuredDataViewType && catalog?.FindColumnType(typeof(T)) is CustomColumnType<T> custom)
                return new ScalarSlots<T>(v => v is null ? 8 : custom.EstimateSize(v));
            long size = typeof(T).IsValueType ? Math.Max(1, SizeOf<T>()) : 16;
            return new ScalarSlots<T>(_ => size);
        }
    }

    private sealed class VectorFunc(VectorDataViewType type) : IGenericFunc<object>
    {
        public object Invoke<TItem>()
        {
            if (type.IsKnownSize && !RuntimeHelpers.IsReferenceOrContainsReferences<TItem>())
                return new FixedVectorSlots<TItem>(type.Size);
            return new VectorSlots<TItem>(typeof(TItem) == typeof(ReadOnlyMemory<char>) ? 32 : SizeOf<TItem>());
        }
    }

    private static int SizeOf<T>() => Unsafe.SizeOf<T>();
}
