namespace MlPipelines.Data;

/// <summary>Gives an array member's vector shape, e.g. [VectorType(3, 224, 224)]; without it the size is unknown.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class VectorTypeAttribute : Attribute
{
    /// <summary>A vector of unknown size.</summary>
    public VectorTypeAttribute()
    {
        Dimensions = [0];
    }

    /// <summary>A vector with the given shape (row-major); its size is the product.</summary>
    public VectorTypeAttribute(params int[] dimensions)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        if (dimensions.Length == 0 || dimensions.Any(d => d < 0))
            throw new ArgumentException("Vector dimensions must be one or more non-negative numbers.", nameof(dimensions));
        Dimensions = dimensions;
    }

    /// <summary>The shape.</summary>
    public IReadOnlyList<int> Dimensions { get; }
}
