namespace MlPipelines.Engine.Optim;

/// <summary>
/// Cuts the rate by <see cref="Factor"/> when a metric has not improved for <see cref="Patience"/> evaluations
/// (PyTorch's ReduceLROnPlateau, relative threshold). Call <see cref="Report"/> once per evaluation.
/// </summary>
public sealed class ReduceOnPlateau
{
    private readonly Optimizer _optimizer;

    /// <summary>Creates the schedule; <paramref name="maximize"/> for accuracy-like metrics.</summary>
    public ReduceOnPlateau(Optimizer optimizer, bool maximize = false, double factor = 0.1, int patience = 10, double threshold = 1e-4,
        bool relativeThreshold = true, int cooldown = 0, double minLearningRate = 0)
    {
        _optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        if (factor is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(factor), factor, "The factor must lie in (0, 1).");
        (Maximize, Factor, Patience, Threshold, RelativeThreshold, Cooldown, MinLearningRate) = (maximize, factor, patience, threshold, relativeThreshold, cooldown, minLearningRate);
        Best = maximize ? double.NegativeInfinity : double.PositiveInfinity;
    }

    public bool Maximize { get; }
    public double Factor { get; }
    public int Patience { get; }
    public double Threshold { get; }
    public bool RelativeThreshold { get; }
    public int Cooldown { get; }
    public double MinLearningRate { get; }

    /// <summary>Best metric so far.</summary>
    public double Best { get; private set; }

    /// <summary>Evaluations since the last improvement.</summary>
    public int BadEpochs { get; private set; }

    /// <summary>Evaluations of cool-down left.</summary>
    public int CooldownLeft { get; private set; }

    /// <summary>Feeds one evaluation; returns true when the rates were reduced.</summary>
    public bool Report(double metric)
    {
        if (IsBetter(metric))
        {
            Best = metric;
            BadEpochs = 0;
        }
        else
        {
            BadEpochs++;
        }
        if (CooldownLeft > 0)
        {
            CooldownLeft--;
            BadEpochs = 0;
        }
        if (BadEpochs <= Patience) return false;
        bool reduced = false;
        foreach (ParameterGroup g in _optimizer.Groups)
        {
            double lr = Math.Max(g.LearningRate * Factor, MinLearningRate);
            if (g.LearningRate - lr > 1e-8)
            {
                g.LearningRate = lr;
                reduced = true;
            }
        }
        CooldownLeft = Cooldown;
        BadEpochs = 0;
        return reduced;
    }

    /// <summary>Restores counters from a checkpoint.</summary>
    public void Restore(double best, int badEpochs, int cooldownLeft) => (Best, BadEpochs, CooldownLeft) = (best, badEpochs, cooldownLeft);

    private bool IsBetter(double metric)
    {
        if (double.IsNaN(metric)) return false;
        if (RelativeThreshold)
            return Maximize ? metric > Best * (1 + Threshold) : metric < Best * (1 - Threshold);
        return Maximize ? metric > Best + Threshold : metric < Best - Threshold;
    }
}
