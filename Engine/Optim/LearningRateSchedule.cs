namespace MlPipelines.Engine.Optim;

/// <summary>
/// A learning-rate schedule stepped by the caller (per batch or per epoch, as it chooses). Each group's rate is
/// its initial rate times <see cref="Factor"/>(position); the position is the checkpointable state.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>Binds the schedule to an optimizer and applies position 0.</summary>
    protected LearningRateSchedule(Optimizer optimizer)
    {
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
    }

    /// <summary>The optimizer whose rates are set.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Steps taken so far.</summary>
    public long Position { get; private set; }

    /// <summary>The multiplier of the initial rate at a position.</summary>
    public abstract double Factor(long position);

    /// <summary>The momentum (or beta1) to use at a position, or null to leave it (one-cycle cycles momentum).</summary>
    public virtual double? Momentum(long position) => null;

    /// <summary>Advances one step and sets the rates.</summary>
    public void Step()
    {
        Position++;
        Apply();
    }

    /// <summary>Restores a position (from a checkpoint) and sets the rates.</summary>
    public void Restore(long position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        Position = position;
        Apply();
    }

    /// <summary>The rate of the first group now.</summary>
    public double CurrentLearningRate => Optimizer.Groups[0].LearningRate;

    /// <summary>Sets every group's rate (and momentum) for the current position.</summary>
    protected void Apply()
    {
        double f = Factor(Position);
        double? m = Momentum(Position);
        foreach (ParameterGroup g in Optimizer.Groups)
        {
            g.LearningRate = g.InitialLearningRate * f;
            if (m is not null && g.Momentum is not null) g.Momentum = m;
        }
    }
}
