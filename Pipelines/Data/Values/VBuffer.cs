namespace MlPipelines.Data;

/// <summary>
/// A dense vector value (ML.NET's VBuffer, dense only): the first <see cref="Length"/> items of an array.
/// Getters may write into the array of the buffer passed to them by reference (see <see cref="VBufferEditor"/>),
/// so copy the values you keep.
/// </summary>
/// <typeparam name="T">Item type.</typeparam>
public readonly struct VBuffer<T>
{
    private readonly T[]? _values;

    /// <summary>Wraps the first <paramref name="length"/> items of <paramref name="values"/> (not copied).</summary>
    public VBuffer(int length, T[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if ((uint)length > (uint)values.Length)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"Length must be between 0 and the array length {values.Length}.");
        Length = length;
        _values = values;
    }

    /// <summary>Wraps all of <paramref name="values"/> (not copied).</summary>
    public VBuffer(T[] values)
        : this((values ?? throw new ArgumentNullException(nameof(values))).Length, values)
    {
    }

    /// <summary>Number of items.</summary>
    public int Length { get; }

    /// <summary>Always true: values are stored densely.</summary>
    public bool IsDense => true;

    /// <summary>The items.</summary>
    public ReadOnlySpan<T> GetValues() => _values is null ? default : new ReadOnlySpan<T>(_values, 0, Length);

    /// <summary>Item <paramref name="index"/>.</summary>
    public T GetItemOrDefault(int index)
    {
        if ((uint)index >= (uint)Length)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Index must be below the length {Length}.");
        return _values![index];
    }

    /// <summary>Copies the items into <paramref name="destination"/>.</summary>
    public void CopyTo(Span<T> destination) => GetValues().CopyTo(destination);

    /// <summary>The items as a new array.</summary>
    public T[] ToArray() => GetValues().ToArray();

    /// <summary>The items, one by one.</summary>
    public IEnumerable<T> DenseValues()
    {
        for (int i = 0; i < Length; i++) yield return _values![i];
    }

    /// <summary>The backing array (for reuse by <see cref="VBufferEditor"/>).</summary>
    internal T[]? Buffer => _values;

    /// <inheritdoc />
    public override string ToString() => $"VBuffer<{typeof(T).Name}>[{Length}]";
}
