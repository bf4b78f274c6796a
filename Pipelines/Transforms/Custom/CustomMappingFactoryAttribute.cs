namespace MlPipelines.Transforms;

/// <summary>Marks a <see cref="CustomMappingFactory{TSrc, TDst}"/> with the contract name its mappings are saved under.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class CustomMappingFactoryAttribute(string contractName) : Attribute
{
    /// <summary>The contract name.</summary>
    public string ContractName { get; } = string.IsNullOrEmpty(contractName) ? throw new ArgumentException("A contract name must not be empty.", nameof(contractName)) : contractName;
}
