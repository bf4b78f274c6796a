namespace MlPipelines.Engine.Optim;

/// <summary>Adam / AdamW settings (PyTorch's defaults).</summary>
public sealed record AdamOptions
{
    public double LearningRate { get; init; } = 1e-3;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Eps { get; init; } = 1e-8;
    /// <summary>L2 penalty added to the gradient (Adam) or decoupled decay (AdamW, default 0.01 there).</summary>
    public double WeightDecay { get; init; }
    public bool Amsgrad { get; init; }
}
