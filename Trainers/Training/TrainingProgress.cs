namespace MlPipelines.Trainers.Training;

/// <summary>A progress report: after every batch (<see cref="IsEpochEnd"/> false) and at the end of every epoch.</summary>
public sealed record TrainingProgress
{
    public required int Epoch { get; init; }
    public required int Epochs { get; init; }
    public required int Step { get; init; }
    public required int StepsPerEpoch { get; init; }
    public required double Loss { get; init; }
    public required double LearningRate { get; init; }
    public required double ImagesPerSecond { get; init; }
    public required TimeSpan Elapsed { get; init; }
    public bool IsEpochEnd { get; init; }

    /// <summary>Epoch-end only: the epoch's metrics.</summary>
    public EpochMetrics? Metrics { get; init; }

    /// <summary>Estimated time to finish, from the pace so far.</summary>
    public TimeSpan Remaining
    {
        get
        {
            double done = (Epoch - 1) * (double)StepsPerEpoch + Step;
            double total = (double)Epochs * StepsPerEpoch;
            return done <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(Elapsed.TotalSeconds * (total - done) / done);
        }
    }
}
