namespace MlPipelines;

/// <summary>Progress of a long operation (epochs of training, rows cached): sent to <see cref="MLContextOptions.Progress"/>.</summary>
/// <param name="Source">The component reporting.</param>
/// <param name="Stage">What is being done, e.g. "epoch".</param>
/// <param name="Completed">Units done.</param>
/// <param name="Total">Units in all, when known.</param>
/// <param name="Metrics">Current figures (e.g. loss, accuracy), possibly empty.</param>
public sealed record ProgressReport(string Source, string Stage, long Completed, long? Total, IReadOnlyDictionary<string, double> Metrics);
