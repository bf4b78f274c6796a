namespace MlPipelines.Evaluation.Reports.Charts;

/// <summary>
/// A line chart to draw as SVG or pixels: a title, axis labels, series, whether the y axis is logarithmic and whether
/// x ticks are whole numbers (epochs).
/// </summary>
internal sealed record LineChart(string Title, string XLabel, string YLabel, IReadOnlyList<ChartSeries> Series, bool LogY = false, bool IntegerX = true)
{
    /// <summary>A chart of <paramref name="series"/> keeping only points with finite coordinates (and positive y on a log axis).</summary>
    public static LineChart Create(string title, string xLabel, string yLabel, bool logY, params (string Name, string Color, IEnumerable<(double X, double? Y)> Points, bool Dashed)[] series) =>
        new(title, xLabel, yLabel, series
            .Select(s => new ChartSeries(s.Name, s.Color, s.Points
                .Where(p => p.Y is { } y && double.IsFinite(p.X) && double.IsFinite(y) && (!logY || y > 0))
                .Select(p => (p.X, p.Y!.Value)).ToArray(), s.Dashed))
            .Where(s => s.Points.Count > 0)
            .ToArray(), logY);

    /// <summary>Total number of points over all series.</summary>
    public int PointCount => Series.Sum(s => s.Points.Count);
}
