namespace MlPipelines.Evaluation.Metrics;

/// <summary>One of the highest-loss examples: what it was, what the model said, and how sure it was.</summary>
/// <param name="RowId">The row's id as given to the accumulator (its position when none was given).</param>
/// <param name="Label">True class index.</param>
/// <param name="Predicted">Predicted class index (first argmax of the scores).</param>
/// <param name="Confidence">Score of the predicted class.</param>
/// <param name="Loss">-ln(clamped score of the true class).</param>
public sealed record TopLoss(long RowId, int Label, int Predicted, float Confidence, double Loss);
