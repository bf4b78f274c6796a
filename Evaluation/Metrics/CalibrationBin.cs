namespace MlPipelines.Evaluation.Metrics;

/// <summary>
/// One confidence bin of a reliability diagram: rows whose top score lies in [<paramref name="Low"/>, <paramref name="High"/>),
/// their mean confidence and their accuracy.
/// </summary>
public sealed record CalibrationBin(double Low, double High, long Count, double MeanConfidence, double Accuracy);
