namespace MlPipelines.Data;

/// <summary>
/// Makes a uint or int member a key column of <see cref="Count"/> categories. As in ML.NET's LoadFromEnumerable,
/// the member holds the zero-based class index: value v is key v + 1 (and reading back gives v); a missing key
/// reads back as −1 (int) or uint.MaxValue (uint).
/// </summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class KeyTypeAttribute : Attribute
{
    /// <summary>A key type of <paramref name="count"/> categories.</summary>
    public KeyTypeAttribute(ulong count)
    {
        if (count == 0 || count > uint.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"A key type needs between 1 and {uint.MaxValue} categories.");
        Count = count;
    }

    /// <summary>Number of categories.</summary>
    public ulong Count { get; }
}
