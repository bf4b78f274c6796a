namespace MlPipelines.Data;

/// <summary>
/// A categorical column (ML.NET's KeyDataViewType): values are <see cref="uint"/> where 0 means missing
/// and 1..<see cref="Count"/> are the categories; their names, when known, are the column's
/// <see cref="AnnotationKinds.KeyValues"/> annotation. Key k is class k - 1.
/// </summary>
public sealed class KeyDataViewType : PrimitiveDataViewType
{
    /// <summary>Creates a key type of <paramref name="count"/> categories over <paramref name="type"/> (only <see cref="uint"/> is supported).</summary>
    public KeyDataViewType(Type type, ulong count)
        : base(CheckRawType(type))
    {
        if (count == 0 || count > uint.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"A key type needs between 1 and {uint.MaxValue} categories.");
        Count = count;
    }

    /// <summary>Creates a key type of <paramref name="count"/> categories over <paramref name="type"/> (only <see cref="uint"/> is supported).</summary>
    public KeyDataViewType(Type type, int count)
        : this(type, count > 0 ? (ulong)count : throw new ArgumentOutOfRangeException(nameof(count), count, "A key type needs at least one category."))
    {
    }

    /// <summary>Number of categories (keys 1..Count).</summary>
    public ulong Count { get; }

    /// <inheritdoc />
    public override bool Equals(DataViewType? other) => other is KeyDataViewType k && k.Count == Count && k.RawType == RawType;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DataViewType t && Equals(t);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(RawType, Count);

    /// <inheritdoc />
    public override string ToString() => $"Key<{RawType.Name}, 0-{Count - 1}>";

    private static Type CheckRawType(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type != typeof(uint))
            throw new ArgumentException($"Key types are stored as UInt32; {type.Name} is not supported.", nameof(type));
        return type;
    }
}
