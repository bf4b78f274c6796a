namespace MlPipelines.Engine.Nn;

/// <summary>One layer of a model summary.</summary>
/// <param name="Name">Dotted path of the layer.</param>
/// <param name="Type">Layer type.</param>
/// <param name="OutputShape">Output shape including the batch dimension.</param>
/// <param name="Parameters">Parameters owned directly by the layer.</param>
/// <param name="MultiplyAdds">Multiply-adds of one forward pass at the summary's input shape.</param>
public sealed record SummaryRow(string Name, string Type, IReadOnlyList<int> OutputShape, long Parameters, long MultiplyAdds);
