using MlPipelines.Evaluation.Metrics;

namespace MlPipelines.Evaluation.Reports.Charts;

/// <summary>The line charts of a report: loss, accuracy and learning rate per epoch, and the reliability diagram.</summary>
internal static class ReportCharts
{
    /// <summary>Colours of the training and validation series and of the learning rate.</summary>
    public const string TrainColor = "#1f77b4", ValidationColor = "#d62728", RateColor = "#2ca02c";

    /// <summary>Training and validation loss per epoch.</summary>
    public static LineChart Loss(IReadOnlyList<EpochRecord> history) => LineChart.Create("Loss", "epoch", "loss", false,
        ("train", TrainColor, history.Select(h => ((double)h.Epoch, (double?)h.TrainLoss)), false),
        ("validation", ValidationColor, history.Select(h => ((double)h.Epoch, h.ValidationLoss)), true));

    /// <summary>Training and validation accuracy per epoch.</summary>
    public static LineChart Accuracy(IReadOnlyList<EpochRecord> history) => LineChart.Create("Accuracy", "epoch", "accuracy", false,
        ("train", TrainColor, history.Select(h => ((double)h.Epoch, (double?)h.TrainAccuracy)), false),
        ("validation", ValidationColor, history.Select(h => ((double)h.Epoch, h.ValidationAccuracy)), true));

    /// <summary>The learning rate per epoch; on a log axis when it spans a factor of 100 or more.</summary>
    public static LineChart LearningRate(IReadOnlyList<EpochRecord> history)
    {
        var rates = history.Select(h => h.LearningRate).Where(r => double.IsFinite(r) && r > 0).ToArray();
        bool log = rates.Length > 0 && rates.Length == history.Count && rates.Max() >= 100 * rates.Min();
        return LineChart.Create("Learning rate", "epoch", "learning rate", log,
            ("learning rate", RateColor, history.Select(h => ((double)h.Epoch, (double?)h.LearningRate)), false));
    }

    /// <summary>The reliability diagram: accuracy against mean confidence of each non-empty calibration bin, beside the diagonal.</summary>
    public static LineChart Reliability(MulticlassClassificationMetrics metrics) => LineChart.Create("Calibration", "confidence", "accuracy", false,
        ("ideal", "#999999", new (double, double?)[] { (0, 0), (1, 1) }, true),
        ("model", TrainColor, metrics.CalibrationBins.Where(b => b.Count > 0).Select(b => (b.MeanConfidence, (double?)b.Accuracy)), false))
        with { IntegerX = false };
}
