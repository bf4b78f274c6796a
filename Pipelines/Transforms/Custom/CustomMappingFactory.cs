namespace MlPipelines.Transforms;

/// <summary>
/// Recreates a saved custom mapping (ML.NET's CustomMappingFactory): derive from <see cref="CustomMappingFactory{TSrc, TDst}"/>,
/// mark the class with <see cref="CustomMappingFactoryAttribute"/>, and register its assembly with
/// ctx.ComponentCatalog.RegisterAssembly (or the factory with RegisterCustomMappingFactory) before loading.
/// </summary>
public abstract class CustomMappingFactory
{
    private protected CustomMappingFactory()
    {
    }

    internal abstract ITransformer CreateTransformer(ComponentCatalog catalog, string contractName);
}
