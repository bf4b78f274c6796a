namespace MlPipelines.Transforms;

/// <summary>Supplies the delegate of a custom mapping saved under a contract name.</summary>
/// <typeparam name="TSrc">The input row class.</typeparam>
/// <typeparam name="TDst">The output row class.</typeparam>
public abstract class CustomMappingFactory<TSrc, TDst> : CustomMappingFactory
    where TSrc : class, new()
    where TDst : class, new()
{
    /// <summary>The mapping delegate.</summary>
    public abstract Action<TSrc, TDst> GetMapping();

    internal override ITransformer CreateTransformer(ComponentCatalog catalog, string contractName) =>
        new CustomMappingTransformer<TSrc, TDst>(catalog, GetMapping(), contractName);
}
