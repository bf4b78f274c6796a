namespace MlPipelines.Data.Storage;

/// <summary>Finds the disk codec for a column type.</summary>
internal static class ValueCodecs
{
    /// <summary>A <see cref="ValueCodec{T}"/> for <paramref name="type"/>'s raw type, or null when its values cannot go to disk.</summary>
    public static object? Create(DataViewType type, ComponentCatalog? catalog)
    {
        switch (type)
        {
            case TextDataViewType:
                return new TextCodec();
            case PrimitiveDataViewType p:
                return Scalar(p.RawType);
            case VectorDataViewType v when v.ItemType is TextDataViewType:
                return new TextVectorCodec();
            case VectorDataViewType v:
                return Vector(v.ItemType.RawType, v.Size);
            case StructuredDataViewType s:
                var custom = catalog?.FindColumnType(s.RawType);
                return custom is { CanSerialize: true } ? Activator.CreateInstance(typeof(CustomCodec<>).MakeGenericType(s.RawType), custom) : null;
            default:
                return null;
        }
    }

    private static object? Scalar(Type raw) =>
        raw == typeof(float) ? new UnmanagedCodec<float>()
        : raw == typeof(double) ? new UnmanagedCodec<double>()
        : raw == typeof(int) ? new UnmanagedCodec<int>()
        : raw == typeof(long) ? new UnmanagedCodec<long>()
        : raw == typeof(byte) ? new UnmanagedCodec<byte>()
        : raw == typeof(uint) ? new UnmanagedCodec<uint>()
        : raw == typeof(bool) ? new UnmanagedCodec<bool>()
        : null;

    private static object? Vector(Type item, int size) =>
        item == typeof(float) ? new UnmanagedVectorCodec<float>(size)
        : item == typeof(double) ? new UnmanagedVectorCodec<double>(size)
        : item == typeof(int) ? new UnmanagedVectorCodec<int>(size)
        : item == typeof(long) ? new UnmanagedVectorCodec<long>(size)
        : item == typeof(byte) ? new UnmanagedVectorCodec<byte>(size)
        : item == typeof(uint) ? new UnmanagedVectorCodec<uint>(size)
        : item == typeof(bool) ? new UnmanagedVectorCodec<bool>(size)
        : null;
}
