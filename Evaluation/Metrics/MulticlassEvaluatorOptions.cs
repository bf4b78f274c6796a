namespace MlPipelines.Evaluation.Metrics;

/// <summary>Options of ctx.MulticlassClassification.Evaluate beyond ML.NET's arguments.</summary>
public sealed record MulticlassEvaluatorOptions
{
    /// <summary>The label column (key, Single or Double).</summary>
    public string LabelColumnName { get; init; } = "Label";

    /// <summary>The score column (Single vector of known size).</summary>
    public string ScoreColumnName { get; init; } = "Score";

    /// <summary>The predicted-label column (must exist; not read).</summary>
    public string PredictedLabelColumnName { get; init; } = "PredictedLabel";

    /// <summary>k for top-k accuracy; 0 to not compute it.</summary>
    public int TopKPredictionCount { get; init; }

    /// <summary>How many highest-loss rows to keep in <see cref="MulticlassClassificationMetrics.TopLosses"/>.</summary>
    public int TopLossCount { get; init; } = 16;

    /// <summary>Number of equal-width confidence bins for calibration.</summary>
    public int CalibrationBins { get; init; } = 15;
}
