namespace MlPipelines.Data;

/// <summary>
/// The type of a column of a data view (ML.NET's DataViewType): what a getter of the column hands out
/// (<see cref="RawType"/>) plus the logical meaning (number, text, key, vector, image...).
/// </summary>
public abstract class DataViewType : IEquatable<DataViewType>
{
    /// <summary>Creates a type whose getters hand out values of <paramref name="rawType"/>.</summary>
    protected DataViewType(Type rawType)
    {
        ArgumentNullException.ThrowIfNull(rawType);
        RawType = rawType;
    }

    /// <summary>The CLR type of the values a <see cref="ValueGetter{TValue}"/> of this column produces.</summary>
    public Type RawType { get; }

    /// <summary>Whether <paramref name="other"/> is the same logical type.</summary>
    public abstract bool Equals(DataViewType? other);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DataViewType other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => RawType.GetHashCode();
}
