namespace MlPipelines.Engine.Optim;

/// <summary>Multiplies the rate by <see cref="Gamma"/> at each milestone (PyTorch's MultiStepLR).</summary>
public sealed class MultiStepSchedule : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    public MultiStepSchedule(Optimizer optimizer, IEnumerable<int> milestones, double gamma = 0.1) : base(optimizer)
    {
        Milestones = milestones.OrderBy(m => m).ToArray();
        Gamma = gamma;
        Apply();
    }

    public IReadOnlyList<int> Milestones { get; }
    public double Gamma { get; }

    /// <inheritdoc />
    public override double Factor(long position) => Math.Pow(Gamma, Milestones.Count(m => m <= position));
}
