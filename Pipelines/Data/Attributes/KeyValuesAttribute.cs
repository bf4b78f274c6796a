namespace MlPipelines.Data;

/// <summary>Names the categories of a [KeyType] member (class names); stored as the column's KeyValues annotation.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class KeyValuesAttribute(params string[] names) : Attribute
{
    /// <summary>The names, category 0 first.</summary>
    public IReadOnlyList<string> Names { get; } = names ?? throw new ArgumentNullException(nameof(names));
}
