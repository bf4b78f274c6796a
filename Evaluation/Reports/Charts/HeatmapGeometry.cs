using MlPipelines.Evaluation.Metrics;

namespace MlPipelines.Evaluation.Reports.Charts;

/// <summary>Cell size and margins of a confusion-matrix heatmap (shared by SVG and pixels).</summary>
internal sealed class HeatmapGeometry
{
    /// <summary>
    /// Lays out <paramref name="matrix"/> with <paramref name="nameWidth"/> pixels for row names (and as much under the grid
    /// for column names): cells of 480 / classes pixels, between <paramref name="minCell"/> and 48.
    /// </summary>
    public HeatmapGeometry(ConfusionMatrix matrix, int nameWidth, int minCell = 8)
    {
        int n = matrix.NumberOfClasses;
        CellSize = Math.Clamp(480 / n, minCell, 48);
        Left = nameWidth + 8;
        Top = 24;
        Width = Left + n * CellSize + 16;
        Height = Top + n * CellSize + nameWidth + 24;
        ShowCounts = CellSize >= 20;
        Classes = n;
    }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Side of a cell, in pixels.</summary>
    public int CellSize { get; }

    /// <summary>Left edge of the grid.</summary>
    public int Left { get; }

    /// <summary>Top edge of the grid.</summary>
    public int Top { get; }

    /// <summary>Picture width.</summary>
    public int Width { get; }

    /// <summary>Picture height.</summary>
    public int Height { get; }

    /// <summary>Whether cells are large enough to print their counts.</summary>
    public bool ShowCounts { get; }

    /// <summary>Top-left corner of cell (true <paramref name="row"/>, predicted <paramref name="column"/>).</summary>
    public (int X, int Y) Cell(int row, int column) => (Left + column * CellSize, Top + row * CellSize);
}
