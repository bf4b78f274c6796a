namespace MlPipelines.Data;

/// <summary>Numeric column types: <see cref="Single"/>, <see cref="Double"/>, <see cref="Byte"/>, <see cref="Int32"/>, <see cref="Int64"/>, <see cref="UInt32"/>.</summary>
public sealed class NumberDataViewType : PrimitiveDataViewType
{
    private NumberDataViewType(Type rawType)
        : base(rawType)
    {
    }

    /// <summary>32-bit float (<see cref="float"/>).</summary>
    public static NumberDataViewType Single { get; } = new(typeof(float));

    /// <summary>64-bit float (<see cref="double"/>).</summary>
    public static NumberDataViewType Double { get; } = new(typeof(double));

    /// <summary>Unsigned byte (<see cref="byte"/>).</summary>
    public static NumberDataViewType Byte { get; } = new(typeof(byte));

    /// <summary>32-bit signed integer (<see cref="int"/>).</summary>
    public static NumberDataViewType Int32 { get; } = new(typeof(int));

    /// <summary>64-bit signed integer (<see cref="long"/>).</summary>
    public static NumberDataViewType Int64 { get; } = new(typeof(long));

    /// <summary>32-bit unsigned integer (<see cref="uint"/>).</summary>
    public static NumberDataViewType UInt32 { get; } = new(typeof(uint));

    /// <summary>The number type whose values are <paramref name="rawType"/>, or null when there is none.</summary>
    public static NumberDataViewType? FromRawType(Type rawType) =>
        rawType == typeof(float) ? Single
        : rawType == typeof(double) ? Double
        : rawType == typeof(byte) ? Byte
        : rawType == typeof(int) ? Int32
        : rawType == typeof(long) ? Int64
        : rawType == typeof(uint) ? UInt32
        : null;

    /// <inheritdoc />
    public override bool Equals(DataViewType? other) => ReferenceEquals(this, other);

    /// <inheritdoc />
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    /// <inheritdoc />
    public override int GetHashCode() => RawType.GetHashCode();

    /// <inheritdoc />
    public override string ToString() => RawType.Name;
}
