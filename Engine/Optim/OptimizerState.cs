namespace MlPipelines.Engine.Optim;

/// <summary>
/// Everything an optimizer needs to resume bit for bit: its step count, each group's learning rate and momentum,
/// and each parameter's buffers (keyed "group.index.name", e.g. "0.3.exp_avg").
/// </summary>
public sealed record OptimizerState(long Step, IReadOnlyList<double> LearningRates, IReadOnlyList<double?> Momenta, IReadOnlyDictionary<string, float[]> Buffers);
