namespace MlPipelines.Data;

/// <summary>Write access to a vector's items; <see cref="Commit"/> makes the <see cref="VBuffer{T}"/>.</summary>
/// <typeparam name="T">Item type.</typeparam>
public readonly ref struct VBufferEditor<T>
{
    private readonly T[] _buffer;
    private readonly int _length;

    internal VBufferEditor(T[] buffer, int length)
    {
        _buffer = buffer;
        _length = length;
        Values = buffer.AsSpan(0, length);
    }

    /// <summary>The items to write.</summary>
    public Span<T> Values { get; }

    /// <summary>The finished vector.</summary>
    public VBuffer<T> Commit() => new(_length, _buffer);
}
