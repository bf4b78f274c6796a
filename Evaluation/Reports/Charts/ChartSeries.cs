namespace MlPipelines.Evaluation.Reports.Charts;

/// <summary>One line of a chart: a name for the legend, a colour (#rrggbb) and its points (finite values only).</summary>
internal sealed record ChartSeries(string Name, string Color, IReadOnlyList<(double X, double Y)> Points, bool Dashed = false);
