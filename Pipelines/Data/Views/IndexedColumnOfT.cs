using System.Buffers;
using System.Runtime.CompilerServices;
using MlPipelines.Data.Storage;
using MlPipelines.Internal;

namespace MlPipelines.Data.Views;

/// <summary>An <see cref="IndexedColumn"/> with values of raw type <typeparamref name="T"/>.</summary>
internal abstract class IndexedColumn<T>(DataViewType type) : IndexedColumn
{
    public override DataViewType Type => type;

    /// <summary>Reads row <paramref name="row"/> into <paramref name="value"/> (copying into its buffer when it is a vector).</summary>
    public abstract void Get(long row, ref T value);

    public override Delegate MakeGetter(RowCursorState state)
    {
        ValueGetter<T> getter = (ref T value) =>
        {
            long row = state.Row;
            if (row < 0) throw RowChecks.NotOnRow();
            Get(row, ref value);
        };
        return getter;
    }

    public override IndexedColumn Remap(RowMap map) => new RemappedColumn<T>(this, map);

    public override void CopyFloats(long first, int count, Span<float> destination, int width)
    {
        T scratch = default!;
        for (int i = 0; i < count; i++)
        {
            Get(first + i, ref scratch);
            FloatConvert.Write(ref scratch, destination.Slice(i * width, width), width);
        }
    }

    public override void GatherFloats(ReadOnlySpan<long> rows, Span<float> destination, int width)
    {
        T scratch = default!;
        for (int i = 0; i < rows.Length; i++)
        {
            Get(rows[i], ref scratch);
            FloatConvert.Write(ref scratch, destination.Slice(i * width, width), width);
        }
    }

    public override void GatherValues<TValue>(ReadOnlySpan<long> rows, Span<TValue> destination)
    {
        if (typeof(TValue) != typeof(T))
            throw new InvalidOperationException($"Column values are {TypeNames.Of(typeof(T))}, not {TypeNames.Of(typeof(TValue))}.");
        for (int i = 0; i < rows.Length; i++) Get(rows[i], ref Unsafe.As<TValue, T>(ref destination[i]));
    }
}

/// <summary>A column read through a <see cref="RowMap"/>: subsets, take/skip, shuffles.</summary>
internal sealed class RemappedColumn<T>(IndexedColumn<T> source, RowMap map) : IndexedColumn<T>(source.Type)
{
    public override void Get(long row, ref T value) => source.Get(map[row], ref value);

    public override void CopyFloats(long first, int count, Span<float> destination, int width)
    {
        if (map.IsContiguous) source.CopyFloats(map[first], count, destination, width);
        else source.GatherFloats(map.Span(first, count), destination, width);
    }

    public override void GatherFloats(ReadOnlySpan<long> rows, Span<float> destination, int width)
    {
        long[] mapped = ArrayPool<long>.Shared.Rent(rows.Length);
        try
        {
            for (int i = 0; i < rows.Length; i++) mapped[i] = map[rows[i]];
            source.GatherFloats(mapped.AsSpan(0, rows.Length), destination, width);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(mapped);
        }
    }
}

/// <summary>A column backed by a <see cref="ValueSlots{T}"/> store (cache, in-memory vectors, batch buffers).</summary>
internal sealed class SlotsColumn<T>(DataViewType type, ValueSlots<T> slots) : IndexedColumn<T>(type)
{
    public ValueSlots<T> Slots => slots;

    public override void Get(long row, ref T value) => slots.Get(row, ref value);

    public override void CopyFloats(long first, int count, Span<float> destination, int width) => slots.CopyFloats(first, count, destination, width);

    public override void GatherFloats(ReadOnlySpan<long> rows, Span<float> destination, int width) => slots.GatherFloats(rows, destination, width);
}

/// <summary>A column over an array of raw values (assigned, so only for values that need no copy).</summary>
internal sealed class ArrayColumn<T>(DataViewType type, T[] values) : IndexedColumn<T>(type)
{
    public override void Get(long row, ref T value) => value = values[row];
}

/// <summary>A column of variable-size vectors, one array per row (copied out).</summary>
internal sealed class JaggedVectorColumn<TItem>(DataViewType type, TItem[][] rows) : IndexedColumn<VBuffer<TItem>>(type)
{
    public override void Get(long row, ref VBuffer<TItem> value)
    {
        TItem[] items = rows[row];
        var editor = VBufferEditor.Create(ref value, items.Length);
        items.CopyTo(editor.Values);
        value = editor.Commit();
    }
}
