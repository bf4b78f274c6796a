namespace MlPipelines;

/// <summary>Chaining for single estimators and transformers (ML.NET's EstimatorExtensions).</summary>
public static class EstimatorExtensions
{
    /// <summary>A chain of <paramref name="start"/> then <paramref name="estimator"/>.</summary>
    public static EstimatorChain<TTrans> Append<TTrans>(this IEstimator<ITransformer> start, IEstimator<TTrans> estimator)
        where TTrans : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(start);
        return new EstimatorChain<ITransformer>().Append(start).Append(estimator);
    }

    /// <summary>A chain of <paramref name="start"/> followed by a cache checkpoint.</summary>
    public static EstimatorChain<ITransformer> AppendCacheCheckpoint(this IEstimator<ITransformer> start, MLContext context)
    {
        ArgumentNullException.ThrowIfNull(start);
        return new EstimatorChain<ITransformer>().Append(start).AppendCacheCheckpoint(context);
    }

    /// <summary>A transformer chain of <paramref name="start"/> then <paramref name="transformer"/>.</summary>
    public static TransformerChain<TTrans> Append<TTrans>(this ITransformer start, TTrans transformer)
        where TTrans : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(transformer);
        return start is TransformerChain<ITransformer> chain ? chain.Append(transformer) : new TransformerChain<TTrans>(start, transformer);
    }

    /// <summary>
    /// The data as training sees it after <paramref name="transformer"/>: training-only transformers act (augmentation)
    /// and chains apply each step this way; every other transformer is plain <see cref="ITransformer.Transform"/>.
    /// </summary>
    public static IDataView TransformForTraining(this ITransformer transformer, IDataView input)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        ArgumentNullException.ThrowIfNull(input);
        return transformer switch
        {
            ITrainingOnlyTransformer t => t.TransformForTraining(input),
            ITrainingTransformable c => c.TransformForTraining(input),
            _ => transformer.Transform(input),
        };
    }
}

/// <summary>Transformers that apply training-only steps when asked (chains).</summary>
internal interface ITrainingTransformable
{
    IDataView TransformForTraining(IDataView input);
}
