using System.Collections.Immutable;

namespace MlPipelines.Data;

/// <summary>
/// A vector column (ML.NET's VectorDataViewType): values are dense <see cref="VBuffer{T}"/> of the item type.
/// <see cref="Dimensions"/> give the logical shape (e.g. [3, 224, 224], row-major); a dimension of 0 means
/// unknown, and then <see cref="Size"/> is 0 (the length varies from row to row).
/// </summary>
public sealed class VectorDataViewType : DataViewType
{
    /// <summary>A one-dimensional vector of <paramref name="size"/> items (0 = unknown size).</summary>
    public VectorDataViewType(PrimitiveDataViewType itemType, int size = 0)
        : this(itemType, ImmutableArray.Create(size))
    {
    }

    /// <summary>A vector of the given shape; 0 in a dimension means unknown.</summary>
    public VectorDataViewType(PrimitiveDataViewType itemType, params int[] dimensions)
        : this(itemType, ImmutableArray.Create(dimensions ?? throw new ArgumentNullException(nameof(dimensions))))
    {
    }

    /// <summary>A vector of the given shape; 0 in a dimension means unknown.</summary>
    public VectorDataViewType(PrimitiveDataViewType itemType, ImmutableArray<int> dimensions)
        : base(MakeRawType(itemType))
    {
        if (dimensions.IsDefaultOrEmpty)
            throw new ArgumentException("A vector type needs at least one dimension.", nameof(dimensions));
        long size = 1;
        foreach (int d in dimensions)
        {
            if (d < 0)
                throw new ArgumentOutOfRangeException(nameof(dimensions), d, "Vector dimensions must be non-negative.");
            size *= d;
            if (size > int.MaxValue)
                throw new ArgumentOutOfRangeException(nameof(dimensions), $"A vector of shape [{string.Join(", ", dimensions)}] has more than {int.MaxValue} items.");
        }
        ItemType = itemType;
        Dimensions = dimensions;
        Size = (int)size;
    }

    /// <summary>The item type.</summary>
    public PrimitiveDataViewType ItemType { get; }

    /// <summary>The logical shape (row-major); 0 marks an unknown dimension.</summary>
    public ImmutableArray<int> Dimensions { get; }

    /// <summary>Number of items: the product of the dimensions, 0 when any is unknown.</summary>
    public int Size { get; }

    /// <summary>Whether every row has <see cref="Size"/> items.</summary>
    public bool IsKnownSize => Size > 0;

    /// <inheritdoc />
    public override bool Equals(DataViewType? other) =>
        other is VectorDataViewType v && v.ItemType.Equals(ItemType) && v.Dimensions.AsSpan().SequenceEqual(Dimensions.AsSpan());

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DataViewType t && Equals(t);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(ItemType);
        foreach (int d in Dimensions) hash.Add(d);
        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() =>
        Dimensions.Length == 1 && Size == 0 ? $"Vector<{ItemType}>" : $"Vector<{ItemType}, {string.Join(", ", Dimensions)}>";

    private static Type MakeRawType(PrimitiveDataViewType itemType)
    {
        ArgumentNullException.ThrowIfNull(itemType);
        return typeof(VBuffer<>).MakeGenericType(itemType.RawType);
    }
}
