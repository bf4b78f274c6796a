namespace MlPipelines.Engine.Optim;

/// <summary>Multiplies the rate by <see cref="Gamma"/> every <see cref="StepSize"/> steps (PyTorch's StepLR).</summary>
public sealed class StepSchedule : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    public StepSchedule(Optimizer optimizer, int stepSize, double gamma = 0.1) : base(optimizer)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stepSize, 1);
        (StepSize, Gamma) = (stepSize, gamma);
        Apply();
    }

    public int StepSize { get; }
    public double Gamma { get; }

    /// <inheritdoc />
    public override double Factor(long position) => Math.Pow(Gamma, position / StepSize);
}
