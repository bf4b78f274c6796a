using MlPipelines.DataPrep;
using MlPipelines.DataPrep.Data;
using MlPipelines.DataPrep.Transforms;

[assembly: MlPipelines.ComponentRegistrar(typeof(DataPrepComponentRegistrar))]

namespace MlPipelines.DataPrep;

/// <summary>Registers DataPrep's components: the image column type and the loaders of the image transformers.</summary>
public sealed class DataPrepComponentRegistrar : IComponentRegistrar
{
    /// <inheritdoc />
    public void Register(ComponentCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        catalog.RegisterColumnType(new ImageColumnType());
        catalog.RegisterTransformer(ImageLoadingTransformer.ComponentName, ImageLoadingTransformer.Load);
        catalog.RegisterTransformer(ImageResizingTransformer.ComponentName, ImageResizingTransformer.Load);
        catalog.RegisterTransformer(ImageCroppingTransformer.ComponentName, ImageCroppingTransformer.Load);
        catalog.RegisterTransformer(ImageGrayscaleTransformer.ComponentName, ImageGrayscaleTransformer.Load);
        catalog.RegisterTransformer(PixelExtractingTransformer.ComponentName, PixelExtractingTransformer.Load);
        catalog.RegisterTransformer(VectorToImageTransformer.ComponentName, VectorToImageTransformer.Load);
        catalog.RegisterTransformer(ImageAugmentingTransformer.ComponentName, ImageAugmentingTransformer.Load);
    }
}
