using System.Runtime.CompilerServices;

namespace MlPipelines.Data.Storage;

/// <summary>Converts numeric scalars and dense numeric vectors to floats (batch cursors); JIT-specialised per type.</summary>
internal static class FloatConvert
{
    /// <summary>Whether values of <paramref name="type"/> convert to a fixed number of floats; that number in <paramref name="width"/>.</summary>
    public static bool TryGetWidth(DataViewType type, out int width)
    {
        switch (type)
        {
            case NumberDataViewType or BooleanDataViewType:
                width = 1;
                return true;
            case VectorDataViewType { IsKnownSize: true, ItemType: NumberDataViewType or BooleanDataViewType } v:
                width = v.Size;
                return true;
            default:
                width = 0;
                return false;
        }
    }

    /// <summary>Writes <paramref name="value"/> (a number, a bool or a VBuffer of them) as <paramref name="width"/> floats.</summary>
    public static void Write<T>(ref T value, Span<float> destination, int width)
    {
        if (typeof(T) == typeof(float)) destination[0] = Unsafe.As<T, float>(ref value);
        else if (typeof(T) == typeof(double)) destination[0] = (float)Unsafe.As<T, double>(ref value);
        else if (typeof(T) == typeof(int)) destination[0] = Unsafe.As<T, int>(ref value);
        else if (typeof(T) == typeof(long)) destination[0] = Unsafe.As<T, long>(ref value);
        else if (typeof(T) == typeof(byte)) destination[0] = Unsafe.As<T, byte>(ref value);
        else if (typeof(T) == typeof(uint)) destination[0] = Unsafe.As<T, uint>(ref value);
        else if (typeof(T) == typeof(bool)) destination[0] = Unsafe.As<T, bool>(ref value) ? 1f : 0f;
        else if (typeof(T) == typeof(VBuffer<float>)) Items(Unsafe.As<T, VBuffer<float>>(ref value).GetValues(), destination, width);
        else if (typeof(T) == typeof(VBuffer<double>)) Items(Unsafe.As<T, VBuffer<double>>(ref value).GetValues(), destination, width);
        else if (typeof(T) == typeof(VBuffer<int>)) Items(Unsafe.As<T, VBuffer<int>>(ref value).GetValues(), destination, width);
        else if (typeof(T) == typeof(VBuffer<long>)) Items(Unsafe.As<T, VBuffer<long>>(ref value).GetValues(), destination, width);
        else if (typeof(T) == typeof(VBuffer<byte>)) Items(Unsafe.As<T, VBuffer<byte>>(ref value).GetValues(), destination, width);
        else if (typeof(T) == typeof(VBuffer<uint>)) Items(Unsafe.As<T, VBuffer<uint>>(ref value).GetValues(), destination, width);
        else if (typeof(T) == typeof(VBuffer<bool>)) Items(Unsafe.As<T, VBuffer<bool>>(ref value).GetValues(), destination, width);
        else throw new InvalidOperationException($"Values of {typeof(T).Name} cannot be read as floats.");
    }

    /// <summary>Converts a span of numbers or bools to floats.</summary>
    public static void Items<TItem>(ReadOnlySpan<TItem> source, Span<float> destination, int width)
    {
        if (source.Length != width)
            throw new InvalidOperationException($"A vector of {source.Length} items was found where the column's type promises {width}.");
        if (typeof(TItem) == typeof(float))
        {
            System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(
                ref Unsafe.As<TItem, float>(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(source)), source.Length).CopyTo(destination);
            return;
        }
        for (int i = 0; i < source.Length; i++)
        {
            TItem item = source[i];
            Write(ref item, destination.Slice(i, 1), 1);
        }
    }
}
