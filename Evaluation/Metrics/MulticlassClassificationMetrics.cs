namespace MlPipelines.Evaluation.Metrics;

/// <summary>
/// Results of a multiclass evaluation. The first group follows ML.NET's MulticlassClassificationMetrics
/// definitions exactly (see ../shared/MLNET-CONTRACT.md); the rest are additions.
/// </summary>
public sealed record MulticlassClassificationMetrics
{
    /// <summary>Share of rows whose first argmax of the scores is the label.</summary>
    public required double MicroAccuracy { get; init; }

    /// <summary>Mean, over classes present in the labels, of the share of that class's rows predicted correctly.</summary>
    public required double MacroAccuracy { get; init; }

    /// <summary>Mean of -ln(clamp(score[label], 1e-15, 1)).</summary>
    public required double LogLoss { get; init; }

    /// <summary>(H_prior - LogLoss) / H_prior with H_prior the natural-log entropy of the label distribution; NaN when the labels hold one class only.</summary>
    public required double LogLossReduction { get; init; }

    /// <summary>The k of <see cref="TopKAccuracy"/>; 0 when top-k was not requested.</summary>
    public required int TopKPredictionCount { get; init; }

    /// <summary>Share of rows whose label ranks among the top k scores (0 when top-k was not requested).</summary>
    public required double TopKAccuracy { get; init; }

    /// <summary>Top-k accuracy for k = 1..TopKPredictionCount; null when top-k was not requested.</summary>
    public required IReadOnlyList<double>? TopKAccuracyForAllK { get; init; }

    /// <summary>Mean log-loss of the rows of each class (NaN for a class with no rows, as ML.NET).</summary>
    public required IReadOnlyList<double> PerClassLogLoss { get; init; }

    /// <summary>Counts of (true, predicted) with per-class precision and recall.</summary>
    public required ConfusionMatrix ConfusionMatrix { get; init; }

    /// <summary>F1 of each class: harmonic mean of its precision and recall (0 when both are 0).</summary>
    public required IReadOnlyList<double> PerClassF1 { get; init; }

    /// <summary>Unweighted mean of F1 over classes that occur in the labels or the predictions.</summary>
    public required double MacroF1 { get; init; }

    /// <summary>Mean of per-class F1 weighted by each class's number of rows.</summary>
    public required double WeightedF1 { get; init; }

    /// <summary>Mean recall over classes present in the labels (equals <see cref="MacroAccuracy"/> by definition).</summary>
    public required double BalancedAccuracy { get; init; }

    /// <summary>Cohen's kappa of predictions against labels: (p_o - p_e) / (1 - p_e); 1 when both are 1.</summary>
    public required double CohenKappa { get; init; }

    /// <summary>Expected calibration error over equal-width bins of the top score.</summary>
    public required double ExpectedCalibrationError { get; init; }

    /// <summary>The reliability-diagram bins behind <see cref="ExpectedCalibrationError"/>.</summary>
    public required IReadOnlyList<CalibrationBin> CalibrationBins { get; init; }

    /// <summary>The highest-loss rows, highest first (the most confidently wrong examples).</summary>
    public required IReadOnlyList<TopLoss> TopLosses { get; init; }

    /// <summary>Off-diagonal confusion-matrix cells, largest first.</summary>
    public required IReadOnlyList<ClassConfusion> MostConfused { get; init; }

    /// <summary>Rows that entered the metrics.</summary>
    public required long RowCount { get; init; }

    /// <summary>Rows skipped for a missing label or a NaN/infinite score.</summary>
    public required long SkippedRowCount { get; init; }
}
