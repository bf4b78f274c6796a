namespace MlPipelines.Evaluation.Reports;

/// <summary>One example shown in the report's sample predictions.</summary>
/// <param name="Image">The example's thumbnail; null when none.</param>
/// <param name="TrueLabel">The true class name; null when the example is unlabeled.</param>
/// <param name="PredictedLabel">The predicted class name.</param>
/// <param name="Confidence">The predicted class's score, in [0, 1].</param>
public sealed record SamplePrediction(ReportImage? Image, string? TrueLabel, string PredictedLabel, float Confidence);
