namespace MlPipelines;

/// <summary>
/// Multiclass classification (ctx.MulticlassClassification). Trainers add extension methods to <see cref="Trainers"/>
/// (e.g. ImageClassification), Evaluation adds Evaluate as an extension method on this catalog.
/// </summary>
public sealed partial class MulticlassClassificationCatalog
{
    internal MulticlassClassificationCatalog(MLContext context)
    {
        Context = context;
        Trainers = new MulticlassClassificationTrainers(context);
    }

    /// <summary>The context (for extension methods).</summary>
    public MLContext Context { get; }

    /// <summary>Multiclass trainers.</summary>
    public MulticlassClassificationTrainers Trainers { get; }
}
