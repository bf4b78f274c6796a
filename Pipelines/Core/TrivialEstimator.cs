namespace MlPipelines;

/// <summary>
/// An estimator that needs no data: Fit checks the schema and returns the transformer it holds (ML.NET's
/// TrivialEstimator). Good base for estimators of stateless transforms (resize, pixel extraction, copy).
/// </summary>
/// <typeparam name="TTransformer">The transformer type.</typeparam>
public abstract class TrivialEstimator<TTransformer> : IEstimator<TTransformer>
    where TTransformer : class, ITransformer
{
    /// <summary>Wraps <paramref name="transformer"/>.</summary>
    protected TrivialEstimator(TTransformer transformer)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        Transformer = transformer;
    }

    /// <summary>The transformer Fit returns.</summary>
    protected TTransformer Transformer { get; }

    /// <inheritdoc />
    public TTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        Transformer.GetOutputSchema(input.Schema);
        return Transformer;
    }

    /// <inheritdoc />
    public abstract SchemaShape GetOutputSchema(SchemaShape inputSchema);
}
