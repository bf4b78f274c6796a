namespace MlPipelines.Trainers.ImageClassification;

/// <summary>Registers the trainers' transformers with every context's component catalog, so saved models load.</summary>
public sealed class TrainersComponentRegistrar : IComponentRegistrar
{
    /// <inheritdoc />
    public void Register(ComponentCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        catalog.RegisterTransformer(ImageClassificationTransformer.ComponentName, ImageClassificationTransformer.Load);
    }
}
