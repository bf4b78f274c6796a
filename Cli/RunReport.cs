using MlPipelines.Data;
using System.Globalization;
using MlPipelines.Engine.Nn.Layers;
using MlPipelines.Evaluation.Metrics;
using MlPipelines.Evaluation.Reports;
using MlPipelines.Trainers.ImageClassification;

namespace MlPipelines.Cli;

/// <summary>Fills the run report (curves, confusion matrix, per-class table, top losses, samples, first-layer filters, configuration) and writes it with its PNG charts.</summary>
internal static class RunReport
{
    public static void Write(TrainJob job, ImageClassificationTransformer classifier, MulticlassClassificationMetrics metrics, IDataView scored, string path)
    {
        var configuration = new List<KeyValuePair<string, string>>();
        foreach (var property in typeof(TrainJob).GetProperties())
            configuration.Add(new(property.Name, Convert.ToString(property.GetValue(job), CultureInfo.InvariantCulture) ?? ""));
        configuration.Add(new("Parameters", classifier.Model.ParameterCount().ToString("N0", CultureInfo.InvariantCulture)));
        var history = classifier.History!.Select(e => new EpochRecord(e.Epoch, e.TrainLoss, e.TrainAccuracy, e.ValidationLoss, e.ValidationAccuracy,
            e.LearningRate, e.Elapsed.TotalSeconds)).ToList();
        var ids = metrics.TopLosses.Select(t => t.RowId).Concat(Enumerable.Range(0, 12).Select(i => (long)i)).Distinct().ToList();
        var thumbnails = ReportThumbnails.FromPixelColumn(scored, "Features", ids);
        var report = new TrainingReport
        {
            Title = $"{classifier.Architecture} on {job.Data ?? job.Manifest ?? "the bundled sample"}",
            Configuration = configuration,
            History = history,
            Metrics = metrics,
            Thumbnails = thumbnails,
            SamplePredictions = Samples(scored, classifier, thumbnails),
            FirstLayerFilters = classifier.Model.NamedModules().Select(m => m.Value).OfType<Conv2d>().FirstOrDefault() is { } conv
                ? new FilterBank(conv.Weight.Value.Span.ToArray(), conv.OutChannels, conv.InChannels / conv.Groups, conv.Kernel.H, conv.Kernel.W)
                : null,
        };
        TrainingReportWriter.WriteHtml(report, path);
        TrainingReportWriter.WritePngCharts(report, Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "charts"));
    }

    /// <summary>The first twelve test images with their true and predicted class and the confidence.</summary>
    private static List<SamplePrediction> Samples(IDataView scored, ImageClassificationTransformer classifier, IReadOnlyDictionary<long, ReportImage> thumbnails)
    {
        var result = new List<SamplePrediction>();
        var label = scored.Schema["Label"];
        var score = scored.Schema["Score"];
        using var cursor = scored.GetRowCursor([label, score]);
        var getLabel = cursor.GetGetter<uint>(label);
        var getScore = cursor.GetGetter<VBuffer<float>>(score);
        uint key = 0;
        var scores = default(VBuffer<float>);
        for (long row = 0; row < 12 && cursor.MoveNext(); row++)
        {
            getLabel(ref key);
            getScore(ref scores);
            var values = scores.DenseValues().ToArray();
            int best = Array.IndexOf(values, values.Max());
            result.Add(new SamplePrediction(thumbnails.GetValueOrDefault(row), key == 0 ? null : classifier.ClassNames[(int)key - 1],
                classifier.ClassNames[best], values[best]));
        }
        return result;
    }
}
