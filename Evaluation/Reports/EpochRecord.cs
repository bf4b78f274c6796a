namespace MlPipelines.Evaluation.Reports;

/// <summary>One row of the training history: what an epoch measured.</summary>
/// <param name="Epoch">The epoch number (1 for the first).</param>
/// <param name="TrainLoss">Mean training loss over the epoch.</param>
/// <param name="TrainAccuracy">Training accuracy over the epoch, in [0, 1].</param>
/// <param name="ValidationLoss">Validation loss at the end of the epoch; null when there is no validation set.</param>
/// <param name="ValidationAccuracy">Validation accuracy at the end of the epoch; null when there is no validation set.</param>
/// <param name="LearningRate">Learning rate in effect during the epoch (the last one when it changes per step).</param>
/// <param name="Seconds">Wall-clock seconds the epoch took.</param>
public sealed record EpochRecord(int Epoch, double TrainLoss, double TrainAccuracy, double? ValidationLoss, double? ValidationAccuracy,
    double LearningRate, double Seconds);
