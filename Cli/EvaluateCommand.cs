using System.CommandLine;
using MlPipelines.Data;

namespace MlPipelines.Cli;

/// <summary>`mlp evaluate`: a saved model on labelled data (IDX files, a folder per class or a manifest): metrics, top-k and the confusion table.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A model file written by `mlp train`", Required = true };
        var data = new Option<string?>("--data") { Description = "IDX files (with --prefix and --split) or a folder per class" };
        var manifest = new Option<string?>("--manifest") { Description = "A CSV/TSV manifest of image paths and labels" };
        var prefix = new Option<string>("--prefix") { Description = "IDX file name prefix", DefaultValueFactory = _ => "fashion-sample" };
        var split = new Option<string>("--split") { Description = "IDX split (PREFIX-SPLIT-...)", DefaultValueFactory = _ => "test" };
        var topK = new Option<int>("--top-k") { Description = "k of the top-k accuracy", DefaultValueFactory = _ => 3 };
        var skipBad = new Option<bool>("--skip-bad-files") { Description = "Leave out unreadable image files instead of failing" };
        var output = new Option<string?>("--output") { Description = "Also write metrics.txt here (a folder)" };
        var command = new Command("evaluate", "Evaluate a saved model on labelled images") { model, data, manifest, prefix, split, topK, skipBad, output };
        command.SetAction(parse => Run(parse.GetValue(model)!, parse.GetValue(data), parse.GetValue(manifest), parse.GetValue(prefix)!, parse.GetValue(split)!,
            parse.GetValue(topK), parse.GetValue(skipBad), parse.GetValue(output)));
        return command;
    }

    private static int Run(string modelPath, string? data, string? manifest, string prefix, string split, int topK, bool skipBad, string? output)
    {
        var loaded = ModelFiles.Load(modelPath, out _);
        var classifier = ModelFiles.FindClassifier(loaded, modelPath);
        if (topK < 1 || topK > classifier.ClassNames.Count) throw new UserException($"--top-k must lie in 1..{classifier.ClassNames.Count}.");
        var (channels, height, _) = classifier.InputShape;
        var ctx = new MLContext();
        IDataView view;
        if (manifest is not null) view = DataSources.LoadManifest(ctx, manifest, height, channels == 1, skipBad);
        else
        {
            string folder = data ?? DataSources.FindBundledFolder() ?? throw new UserException("Pass --data FOLDER or --manifest FILE.");
            if (!Directory.Exists(folder)) throw new UserException($"Data folder not found: {folder}");
            view = DataSources.HasIdx(folder, prefix, split)
                ? DataSources.LoadIdx(ctx, folder, prefix, split, classifier.ClassNames)
                : DataSources.LoadFolder(ctx, folder, height, channels == 1, skipBad);
        }
        var names = view.Schema["Label"].GetKeyValueNames();
        if (names is null || !names.SequenceEqual(classifier.ClassNames))
            throw new UserException($"The data's classes ({string.Join(", ", names ?? [])}) differ from the model's ({string.Join(", ", classifier.ClassNames)}).");
        var metrics = ctx.MulticlassClassification.Evaluate(loaded.Transform(view), topKPredictionCount: topK);
        string text = TrainCommand.MetricsText(metrics);
        Console.WriteLine(text);
        if (output is not null)
        {
            Directory.CreateDirectory(output);
            TrainCommand.AtomicText(Path.Combine(output, "metrics.txt"), text);
        }
        return 0;
    }
}
