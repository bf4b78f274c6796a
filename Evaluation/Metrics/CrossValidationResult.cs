namespace MlPipelines.Evaluation.Metrics;

/// <summary>One fold of a cross-validation (ML.NET's CrossValidationResult): the model trained without the fold, its metrics on the fold, and the scored fold.</summary>
/// <typeparam name="TMetrics">The metrics type.</typeparam>
public sealed class CrossValidationResult<TMetrics>
    where TMetrics : class
{
    /// <summary>Creates a result.</summary>
    public CrossValidationResult(ITransformer model, TMetrics metrics, IDataView scoredHoldOutSet, int fold)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(scoredHoldOutSet);
        Model = model;
        Metrics = metrics;
        ScoredHoldOutSet = scoredHoldOutSet;
        Fold = fold;
    }

    /// <summary>The model fitted on every fold but this one.</summary>
    public ITransformer Model { get; }

    /// <summary>The model's metrics on this fold.</summary>
    public TMetrics Metrics { get; }

    /// <summary>This fold's rows transformed by <see cref="Model"/> (lazy).</summary>
    public IDataView ScoredHoldOutSet { get; }

    /// <summary>The fold's index, from 0.</summary>
    public int Fold { get; }
}
