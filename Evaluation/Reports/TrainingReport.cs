using MlPipelines.Evaluation.Metrics;

namespace MlPipelines.Evaluation.Reports;

/// <summary>
/// Everything one training run's report shows. Plain data: a trainer or the CLI fills it, and
/// <see cref="TrainingReportWriter"/> turns it into one self-contained HTML file and PNG charts.
/// Every part but <see cref="Title"/> is optional; sections without data are left out.
/// </summary>
public sealed record TrainingReport
{
    /// <summary>The report's title (e.g. the run's name).</summary>
    public required string Title { get; init; }

    /// <summary>The run's configuration, in display order (option name, value).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Configuration { get; init; } = [];

    /// <summary>The per-epoch history, in epoch order.</summary>
    public IReadOnlyList<EpochRecord> History { get; init; } = [];

    /// <summary>Metrics of the final model on the validation or test set; null when not evaluated.</summary>
    public MulticlassClassificationMetrics? Metrics { get; init; }

    /// <summary>Thumbnails of evaluated rows by row id (see <see cref="TopLoss.RowId"/>), for the top-losses grid.</summary>
    public IReadOnlyDictionary<long, ReportImage> Thumbnails { get; init; } = new Dictionary<long, ReportImage>();

    /// <summary>Examples with their predictions.</summary>
    public IReadOnlyList<SamplePrediction> SamplePredictions { get; init; } = [];

    /// <summary>The first convolution layer's weights; null when not available.</summary>
    public FilterBank? FirstLayerFilters { get; init; }
}
