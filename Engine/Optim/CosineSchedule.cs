namespace MlPipelines.Engine.Optim;

/// <summary>
/// Linear warm-up from 0 over <see cref="WarmupSteps"/>, then cosine annealing to <see cref="MinFactor"/> of the initial
/// rate at <see cref="TotalSteps"/> (PyTorch's CosineAnnealingLR closed form, preceded by a warm-up).
/// </summary>
public sealed class CosineSchedule : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    public CosineSchedule(Optimizer optimizer, long totalSteps, long warmupSteps = 0, double minFactor = 0) : base(optimizer)
    {
        if (totalSteps < 1 || warmupSteps < 0 || warmupSteps >= totalSteps) throw new ArgumentOutOfRangeException(nameof(totalSteps), "Need 0 <= warm-up < total steps.");
        (TotalSteps, WarmupSteps, MinFactor) = (totalSteps, warmupSteps, minFactor);
        Apply();
    }

    public long TotalSteps { get; }
    public long WarmupSteps { get; }
    public double MinFactor { get; }

    /// <inheritdoc />
    public override double Factor(long position)
    {
        if (position < WarmupSteps) return (position + 1) / (double)WarmupSteps;
        double t = Math.Min(1, (position - WarmupSteps) / (double)(TotalSteps - WarmupSteps));
        return MinFactor + (1 - MinFactor) * (1 + Math.Cos(Math.PI * t)) / 2;
    }
}
