namespace MlPipelines.Trainers.Training;

/// <summary>One epoch of a training history.</summary>
public sealed record EpochMetrics(int Epoch, double TrainLoss, double TrainAccuracy, double? ValidationLoss, double? ValidationAccuracy, double LearningRate, TimeSpan Elapsed);
