namespace MlPipelines;

/// <summary>
/// Estimators fitted in order, each on the output of the previous transformers (ML.NET's EstimatorChain). Fit checks
/// the whole chain's schema first, so a bad input anywhere fails before any data is read.
/// </summary>
/// <typeparam name="TLastTransformer">The transformer type of the last estimator.</typeparam>
public sealed class EstimatorChain<TLastTransformer> : IEstimator<TransformerChain<TLastTransformer>>
    where TLastTransformer : class, ITransformer
{
    private readonly IEstimator<ITransformer>[] _estimators;
    private readonly MLContext?[] _cacheAfter;

    /// <summary>An empty chain; add estimators with <see cref="Append{TNewTrans}"/>.</summary>
    public EstimatorChain()
        : this([], [])
    {
    }

    private EstimatorChain(IEstimator<ITransformer>[] estimators, MLContext?[] cacheAfter)
    {
        _estimators = estimators;
        _cacheAfter = cacheAfter;
    }

    /// <summary>The last estimator.</summary>
    public IEstimator<TLastTransformer> LastEstimator =>
        _estimators.Length > 0 ? (IEstimator<TLastTransformer>)_estimators[^1] : throw new InvalidOperationException("The chain is empty.");

    /// <summary>A new chain with <paramref name="estimator"/> appended.</summary>
    public EstimatorChain<TNewTrans> Append<TNewTrans>(IEstimator<TNewTrans> estimator)
        where TNewTrans : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(estimator);
        return new EstimatorChain<TNewTrans>([.. _estimators, estimator], [.. _cacheAfter, null]);
    }

    /// <summary>
    /// A new chain that, during Fit, caches the data produced so far (in memory, spilling to disk past the context's
    /// bound) before the next estimator reads it: transforms before the checkpoint run once, not once per epoch.
    /// </summary>
    public EstimatorChain<TLastTransformer> AppendCacheCheckpoint(MLContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_estimators.Length == 0) throw new InvalidOperationException("A cache checkpoint needs an estimator before it.");
        var cache = (MLContext?[])_cacheAfter.Clone();
        cache[^1] = context;
        return new EstimatorChain<TLastTransformer>(_estimators, cache);
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach (var e in _estimators) inputSchema = e.GetOutputSchema(inputSchema);
        return inputSchema;
    }

    /// <inheritdoc />
    public TransformerChain<TLastTransformer> Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var transformers = new ITransformer[_estimators.Length];
        var current = input;
        for (int i = 0; i < _estimators.Length; i++)
        {
            transformers[i] = _estimators[i].Fit(current);
            if (i == _estimators.Length - 1) break;
            current = transformers[i].TransformForTraining(current);
            if (_cacheAfter[i] is { } context) current = context.Data.Cache(current);
        }
        return new TransformerChain<TLastTransformer>(transformers);
    }
}
