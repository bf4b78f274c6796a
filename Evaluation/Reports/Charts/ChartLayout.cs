namespace MlPipelines.Evaluation.Reports.Charts;

/// <summary>Where a line chart's plot area lies in a width x height picture, and its two axes (shared by SVG and pixels).</summary>
internal sealed class ChartLayout
{
    /// <summary>Margins around the plot area, in pixels.</summary>
    public const int Left = 64, Right = 16, Top = 32, Bottom = 44;

    /// <summary>Lays out <paramref name="chart"/> in <paramref name="width"/> x <paramref name="height"/> pixels.</summary>
    public ChartLayout(LineChart chart, int width, int height)
    {
        Width = width;
        Height = height;
        var points = chart.Series.SelectMany(s => s.Points).ToArray();
        X = AxisScale.Create(points.Select(p => p.X), Left, width - Right, integer: chart.IntegerX);
        Y = AxisScale.Create(points.Select(p => p.Y), height - Bottom, Top, chart.LogY);
    }

    /// <summary>Picture width.</summary>
    public int Width { get; }

    /// <summary>Picture height.</summary>
    public int Height { get; }

    /// <summary>The x axis.</summary>
    public AxisScale X { get; }

    /// <summary>The y axis.</summary>
    public AxisScale Y { get; }

    /// <summary>Plot area, in pixels.</summary>
    public (int X0, int Y0, int X1, int Y1) Plot => (Left, Top, Width - Right, Height - Bottom);
}
