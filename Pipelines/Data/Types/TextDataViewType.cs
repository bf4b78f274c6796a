namespace MlPipelines.Data;

/// <summary>The text column type; values are <see cref="ReadOnlyMemory{T}"/> of char (immutable by convention).</summary>
public sealed class TextDataViewType : PrimitiveDataViewType
{
    private TextDataViewType()
        : base(typeof(ReadOnlyMemory<char>))
    {
    }

    /// <summary>The single instance.</summary>
    public static TextDataViewType Instance { get; } = new();

    /// <inheritdoc />
    public override bool Equals(DataViewType? other) => ReferenceEquals(this, other);

    /// <inheritdoc />
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    /// <inheritdoc />
    public override int GetHashCode() => RawType.GetHashCode();

    /// <inheritdoc />
    public override string ToString() => "String";
}
