namespace MlPipelines.Engine.Optim;

/// <summary>Multiplies the rate by <see cref="Gamma"/> every step (PyTorch's ExponentialLR).</summary>
public sealed class ExponentialSchedule : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    public ExponentialSchedule(Optimizer optimizer, double gamma) : base(optimizer)
    {
        Gamma = gamma;
        Apply();
    }

    public double Gamma { get; }

    /// <inheritdoc />
    public override double Factor(long position) => Math.Pow(Gamma, position);
}
