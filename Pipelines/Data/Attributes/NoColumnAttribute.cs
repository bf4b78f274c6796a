namespace MlPipelines.Data;

/// <summary>Keeps a field or property out of the schema.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class NoColumnAttribute : Attribute
{
}
