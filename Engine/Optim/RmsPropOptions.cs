namespace MlPipelines.Engine.Optim;

/// <summary>RMSprop settings (PyTorch's defaults).</summary>
public sealed record RmsPropOptions
{
    public double LearningRate { get; init; } = 0.01;
    public double Alpha { get; init; } = 0.99;
    public double Eps { get; init; } = 1e-8;
    public double WeightDecay { get; init; }
    public double Momentum { get; init; }
    public bool Centered { get; init; }
}
