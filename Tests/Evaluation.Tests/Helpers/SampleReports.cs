using MlPipelines.Evaluation.Metrics;
using MlPipelines.Evaluation.Reports;

namespace MlPipelines.Evaluation.Tests.Helpers;

/// <summary>Reports for tests, with hostile class names and configuration to check escaping.</summary>
internal static class SampleReports
{
    public const string Script = "<script>alert(1)</script>";
    public static readonly string[] ClassNames = [Script, "a&b", "\"quoted\" 'one'"];

    /// <summary>Six epochs; validation is missing at epoch 1 (five validation points).</summary>
    public static EpochRecord[] History() =>
    [
        new(1, 2.0, 0.30, null, null, 0.1, 1.5),
        new(2, 1.5, 0.50, 1.6, 0.45, 0.1, 1.4),
        new(3, 1.0, 0.65, 1.2, 0.60, 0.05, 1.4),
        new(4, 0.8, 0.75, 1.0, 0.70, 0.01, 1.3),
        new(5, 0.6, 0.82, 0.9, 0.74, 0.001, 1.3),
        new(6, 0.5, 0.86, 0.85, 0.76, 0.0001, 1.3),
    ];

    /// <summary>Metrics of six rows over the three hostile classes, top-2, with row ids 100..105.</summary>
    public static MulticlassClassificationMetrics Metrics()
    {
        var acc = new MulticlassMetricsAccumulator(3, topK: 2, classNames: ClassNames, topLossCount: 4);
        acc.Update(0, [0.8f, 0.1f, 0.1f], 100);
        acc.Update(0, [0.3f, 0.6f, 0.1f], 101);
        acc.Update(1, [0.1f, 0.7f, 0.2f], 102);
        acc.Update(1, [0.1f, 0.8f, 0.1f], 103);
        acc.Update(2, [0.5f, 0.1f, 0.4f], 104);
        acc.Update(2, [0.1f, 0.1f, 0.8f], 105);
        return acc.Compute();
    }

    /// <summary>A gradient picture (gray or RGB) that is not blank.</summary>
    public static ReportImage Gradient(int size, int channels, int seed)
    {
        var pixels = new byte[size * size * channels];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)((i * 37 + seed * 61) % 256);
        return new ReportImage(size, size, channels, pixels);
    }

    public static TrainingReport Full()
    {
        var filters = new float[8 * 3 * 3 * 3];
        for (int i = 0; i < filters.Length; i++) filters[i] = MathF.Sin(i * 1.3f);
        return new TrainingReport
        {
            Title = "Run <1> & co",
            Configuration = [new("epochs", "6"), new("model<script>", "x & \"y\""), new("batch size", "32")],
            History = History(),
            Metrics = Metrics(),
            Thumbnails = new Dictionary<long, ReportImage> { [101] = Gradient(16, 3, 1), [104] = Gradient(16, 1, 2) },
            SamplePredictions =
            [
                new(Gradient(16, 3, 3), ClassNames[0], ClassNames[0], 0.9f),
                new(Gradient(16, 1, 4), ClassNames[1], ClassNames[2], 0.55f),
                new(null, null, ClassNames[2], 0.4f),
            ],
            FirstLayerFilters = new FilterBank(filters, 8, 3, 3, 3),
        };
    }
}
