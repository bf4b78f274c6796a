namespace MlPipelines.Evaluation.Metrics;

/// <summary>A pair of classes the model mixes up: how many rows of <paramref name="TrueClass"/> were predicted as <paramref name="PredictedClass"/>.</summary>
public sealed record ClassConfusion(int TrueClass, int PredictedClass, string TrueName, string PredictedName, long Count);
