namespace MlPipelines.Data;

/// <summary>Names the column a field or property maps to (default: the member's name).</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class ColumnNameAttribute(string name) : Attribute
{
    /// <summary>The column name.</summary>
    public string Name { get; } = string.IsNullOrEmpty(name) ? throw new ArgumentException("A column name must not be empty.", nameof(name)) : name;
}
