namespace MlPipelines.Engine.Optim;

/// <summary>
/// The one-cycle policy (Smith; PyTorch's OneCycleLR with cosine annealing): the rate rises from max/div to the group's
/// initial rate (taken as the maximum) over pct_start of the steps, then falls to max/(div x finalDiv); momentum moves
/// the opposite way between <see cref="MaxMomentum"/> and <see cref="BaseMomentum"/>.
/// </summary>
public sealed class OneCycleSchedule : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    public OneCycleSchedule(Optimizer optimizer, long totalSteps, double pctStart = 0.3, double divFactor = 25, double finalDivFactor = 1e4,
        bool cycleMomentum = true, double baseMomentum = 0.85, double maxMomentum = 0.95) : base(optimizer)
    {
        if (totalSteps < 2) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "One-cycle needs at least two steps.");
        if (pctStart is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(pctStart), pctStart, "pct_start must lie in (0, 1).");
        (TotalSteps, PctStart, DivFactor, FinalDivFactor, CycleMomentum, BaseMomentum, MaxMomentum) =
            (totalSteps, pctStart, divFactor, finalDivFactor, cycleMomentum, baseMomentum, maxMomentum);
        Apply();
    }

    public long TotalSteps { get; }
    public double PctStart { get; }
    public double DivFactor { get; }
    public double FinalDivFactor { get; }
    public bool CycleMomentum { get; }
    public double BaseMomentum { get; }
    public double MaxMomentum { get; }

    private double PeakStep => PctStart * TotalSteps - 1;

    /// <inheritdoc />
    public override double Factor(long position)
    {
        double start = 1 / DivFactor, end = start / FinalDivFactor;
        // A warm-up shorter than one step (pct_start x total <= 1) starts at the peak instead of dividing by zero.
        if (PeakStep <= 0 && position <= 0) return 1;
        return position <= PeakStep
            ? Anneal(start, 1, position / PeakStep)
            : Anneal(1, end, (position - PeakStep) / (TotalSteps - 1 - PeakStep));
    }

    /// <inheritdoc />
    public override double? Momentum(long position)
    {
        if (!CycleMomentum) return null;
        if (PeakStep <= 0 && position <= 0) return BaseMomentum;
        return position <= PeakStep
            ? Anneal(MaxMomentum, BaseMomentum, position / PeakStep)
            : Anneal(BaseMomentum, MaxMomentum, (position - PeakStep) / (TotalSteps - 1 - PeakStep));
    }

    private static double Anneal(double from, double to, double pct)
    {
        pct = Math.Clamp(pct, 0, 1);
        return to + (from - to) / 2 * (Math.Cos(Math.PI * pct) + 1);
    }
}
