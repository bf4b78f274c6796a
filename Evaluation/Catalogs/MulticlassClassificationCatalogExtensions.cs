using MlPipelines.Data;
using MlPipelines.Evaluation.Metrics;

namespace MlPipelines;

/// <summary>Evaluation on the multiclass catalog: ctx.MulticlassClassification.Evaluate and CrossValidate.</summary>
public static class MulticlassClassificationCatalogExtensions
{
    /// <summary>
    /// Evaluates scored data with ML.NET's multiclass definitions (see MulticlassClassificationMetrics), plus F1, kappa,
    /// calibration, top losses and most-confused pairs. The schema is checked before any row is read: the label is a key
    /// (class k − 1 for key k; key 0 is missing) or a Single/Double holding whole numbers (NaN is missing); the score a
    /// Single vector of known size (one score per class); the predicted label must exist but is not read (the prediction
    /// is the first argmax of the scores). Rows with a missing label or a NaN/infinite score are skipped and counted in
    /// <see cref="MulticlassClassificationMetrics.SkippedRowCount"/>. Class names come from the score's SlotNames or
    /// the label's KeyValues. <see cref="TopLoss.RowId"/> is the row's position in <paramref name="data"/>.
    /// Reads the two columns once, in batches, in constant memory.
    /// </summary>
    /// <exception cref="SchemaMismatchException">A column is missing or of the wrong type.</exception>
    /// <exception cref="InvalidOperationException">No row has both a label and finite scores, or a numeric label is not a whole number.</exception>
    public static MulticlassClassificationMetrics Evaluate(this MulticlassClassificationCatalog catalog, IDataView data,
        string labelColumnName = "Label", string scoreColumnName = "Score", string predictedLabelColumnName = "PredictedLabel",
        int topKPredictionCount = 0)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        return catalog.Evaluate(data, new MulticlassEvaluatorOptions
        {
            LabelColumnName = labelColumnName,
            ScoreColumnName = scoreColumnName,
            PredictedLabelColumnName = predictedLabelColumnName,
            TopKPredictionCount = topKPredictionCount,
        });
    }

    /// <summary>As Evaluate with ML.NET's arguments, with the number of top losses and calibration bins chosen too.</summary>
    public static MulticlassClassificationMetrics Evaluate(this MulticlassClassificationCatalog catalog, IDataView data, MulticlassEvaluatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.TopLossCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.CalibrationBins, 1);
        var columns = MulticlassDataViewEvaluator.CheckSchema(data.Schema, options.LabelColumnName, options.ScoreColumnName,
            options.PredictedLabelColumnName, options.TopKPredictionCount);
        return MulticlassDataViewEvaluator.Evaluate(data, columns, options.TopKPredictionCount, options.TopLossCount, options.CalibrationBins);
    }

    /// <summary>
    /// k-fold cross-validation: splits <paramref name="data"/> into <paramref name="numberOfFolds"/> folds stratified by the
    /// label (each class spread over the folds within one row), fits <paramref name="estimator"/> on all folds but one and
    /// evaluates it on that one (columns "Score" and "PredictedLabel"), for every fold in turn. Seeded (null draws a seed from
    /// the context). The estimator's output schema is checked before anything is fitted.
    /// </summary>
    /// <exception cref="SchemaMismatchException">The label column is missing or not a scalar, or the estimator does not produce a Score vector.</exception>
    public static IReadOnlyList<CrossValidationResult<MulticlassClassificationMetrics>> CrossValidate(this MulticlassClassificationCatalog catalog,
        IDataView data, IEstimator<ITransformer> estimator, int numberOfFolds = 5, string labelColumnName = "Label", int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentOutOfRangeException.ThrowIfLessThan(numberOfFolds, 2);
        var label = SchemaShapeChecks.RequireColumn(data.Schema, labelColumnName, "Key<UInt32>, Single or Double");
        if (label.Type is not (KeyDataViewType or NumberDataViewType))
            throw new SchemaMismatchException(labelColumnName, "Key<UInt32>, Single or Double", label.Type.ToString(), nameof(data));
        var output = estimator.GetOutputSchema(SchemaShape.Create(data.Schema));
        var score = SchemaShapeChecks.RequireColumn(output, "Score", "Vector<Single> of known size");
        if (score.Kind != SchemaShape.Column.VectorKind.Vector || !NumberDataViewType.Single.Equals(score.ItemType))
            throw new SchemaMismatchException("Score", "Vector<Single> of known size", score.GetTypeString(), nameof(estimator));

        var folds = catalog.Context.Data.CrossValidationSplit(data, numberOfFolds, seed: seed ?? catalog.Context.NextSeed(),
            stratificationColumnName: labelColumnName);
        var results = new List<CrossValidationResult<MulticlassClassificationMetrics>>(numberOfFolds);
        for (int f = 0; f < folds.Count; f++)
        {
            var model = estimator.Fit(folds[f].TrainSet);
            var scored = model.Transform(folds[f].TestSet);
            var metrics = catalog.Evaluate(scored, labelColumnName);
            results.Add(new CrossValidationResult<MulticlassClassificationMetrics>(model, metrics, scored, f));
        }
        return results;
    }
}
