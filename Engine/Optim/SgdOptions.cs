namespace MlPipelines.Engine.Optim;

/// <summary>Stochastic gradient descent settings (PyTorch's SGD).</summary>
public sealed record SgdOptions
{
    public double LearningRate { get; init; } = 0.01;
    public double Momentum { get; init; }
    public double Dampening { get; init; }
    public bool Nesterov { get; init; }
    public double WeightDecay { get; init; }
}
