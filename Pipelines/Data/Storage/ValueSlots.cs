namespace MlPipelines.Data.Storage;

/// <summary>
/// Indexed storage of column values that owns its copies (a getter's buffer may be reused, so values are
/// copied in and copied out). Memory stores accept writes at any index up to <see cref="Count"/>; disk
/// stores only append. Reads may run on several threads once writing is over.
/// </summary>
/// <typeparam name="T">The column's raw type.</typeparam>
internal abstract class ValueSlots<T>
{
    /// <summary>One past the highest index written.</summary>
    public abstract long Count { get; }

    /// <summary>Approximate bytes held.</summary>
    public abstract long BytesUsed { get; }

    /// <summary>Copies <paramref name="value"/> into slot <paramref name="index"/> (at most <see cref="Count"/>).</summary>
    public abstract void Set(long index, ref T value);

    /// <summary>Copies slot <paramref name="index"/> into <paramref name="value"/> (reusing its buffer).</summary>
    public abstract void Get(long index, ref T value);

    /// <summary>Appends a value.</summary>
    public void Append(ref T value) => Set(Count, ref value);

    /// <summary>Writes rows [first, first + count) as floats, <paramref name="width"/> per row.</summary>
    public virtual void CopyFloats(long first, int count, Span<float> destination, int width)
    {
        T scratch = default!;
        for (int i = 0; i < count; i++)
        {
            Get(first + i, ref scratch);
            FloatConvert.Write(ref scratch, destination.Slice(i * width, width), width);
        }
    }

    /// <summary>Writes the given rows as floats, <paramref name="width"/> per row.</summary>
    public virtual void GatherFloats(ReadOnlySpan<long> rows, Span<float> destination, int width)
    {
        T scratch = default!;
        for (int i = 0; i < rows.Length; i++)
        {
            Get(rows[i], ref scratch);
            FloatConvert.Write(ref scratch, destination.Slice(i * width, width), width);
        }
    }

    /// <summary>Ends writing; reads may follow from several threads.</summary>
    public virtual void Seal()
    {
    }

    /// <summary>Releases memory or files held.</summary>
    public virtual void Release()
    {
    }
}
