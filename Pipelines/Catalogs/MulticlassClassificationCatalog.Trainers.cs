namespace MlPipelines;

public sealed partial class MulticlassClassificationCatalog
{
    /// <summary>Multiclass trainers (ctx.MulticlassClassification.Trainers), added as extension methods by trainer assemblies.</summary>
    public sealed class MulticlassClassificationTrainers
    {
        internal MulticlassClassificationTrainers(MLContext context) => Context = context;

        /// <summary>The context (for extension methods).</summary>
        public MLContext Context { get; }
    }
}
