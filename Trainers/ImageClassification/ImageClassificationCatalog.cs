using MlPipelines.Trainers.ImageClassification;

[assembly: MlPipelines.ComponentRegistrar(typeof(MlPipelines.Trainers.ImageClassification.TrainersComponentRegistrar))]

namespace MlPipelines;

/// <summary>The image-classification trainer on <c>ctx.MulticlassClassification.Trainers</c>.</summary>
public static class ImageClassificationCatalog
{
    /// <summary>A CNN image classifier with the given settings.</summary>
    public static ImageClassificationTrainer ImageClassification(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        ImageClassificationTrainer.Options options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ImageClassificationTrainer(catalog.Context, options);
    }

    /// <summary>A CNN image classifier with default settings on the named columns.</summary>
    public static ImageClassificationTrainer ImageClassification(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", string architecture = "lenet5")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ImageClassificationTrainer(catalog.Context,
            new ImageClassificationTrainer.Options { LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, Architecture = architecture });
    }
}
