using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MlPipelines.Data;
using MlPipelines.Trainers.ImageClassification;

namespace MlPipelines.Cli;

/// <summary>`mlp predict`: classifies image files (paths, folders, globs) with a saved model; CSV or JSON with the top-k labels and scores.</summary>
internal static class PredictCommand
{
    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".pgm", ".ppm", ".pbm", ".pnm"];

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A model file written by `mlp train`", Required = true };
        var inputs = new Argument<string[]>("inputs") { Description = "Image files, folders (searched recursively) or globs such as 'photos/*.jpg'", Arity = ArgumentArity.OneOrMore };
        var topK = new Option<int>("--top-k") { Description = "Labels per image", DefaultValueFactory = _ => 3 };
        var format = new Option<string>("--format") { Description = "csv or json", DefaultValueFactory = _ => "csv" };
        var output = new Option<string?>("--output") { Description = "Write here instead of to the console" };
        var command = new Command("predict", "Classify image files with a saved model") { model, inputs, topK, format, output };
        command.SetAction(parse => Run(parse.GetValue(model)!, parse.GetValue(inputs)!, parse.GetValue(topK), parse.GetValue(format)!, parse.GetValue(output)));
        return command;
    }

    private static int Run(string modelPath, string[] inputs, int topK, string format, string? output)
    {
        if (format is not ("csv" or "json")) throw new UserException($"Unknown format '{format}'; use csv or json.");
        var loaded = ModelFiles.Load(modelPath, out _);
        var classifier = ModelFiles.FindClassifier(loaded, modelPath);
        if (topK < 1 || topK > classifier.ClassNames.Count) throw new UserException($"--top-k must lie in 1..{classifier.ClassNames.Count}.");
        var files = Expand(inputs);
        if (files.Count == 0) throw new UserException($"No image files found in {string.Join(", ", inputs)}.");

        var ctx = new MLContext();
        var paths = new InMemoryDataViewBuilder().AddColumn("ImagePath", [.. files]).ToDataView();
        var (channels, height, width) = classifier.InputShape;
        if (height != width) throw new UserException($"The model expects {width}x{height} images; predict handles square inputs only.");
        var images = DataSources.Decode(ctx, paths, null, height, channels == 1, skipBadFiles: true);
        var scored = loaded.Transform(images);
        var rows = Read(scored, classifier, topK);
        var skipped = files.Except(rows.Select(r => r.Path)).ToList();
        foreach (string bad in skipped) Console.Error.WriteLine($"mlp: skipped unreadable image {bad}");

        string text = format == "json" ? Json(rows) : Csv(rows, topK);
        if (output is null) Console.Write(text);
        else
        {
            TrainCommand.AtomicText(output, text);
            Console.WriteLine($"Wrote {rows.Count} predictions to {output}" + (skipped.Count > 0 ? $" ({skipped.Count} unreadable files skipped)." : "."));
        }
        return rows.Count == 0 ? 1 : 0;
    }

    private sealed record Row(string Path, string Label, float Score, string[] TopLabels, float[] TopScores);

    private static List<Row> Read(IDataView scored, ImageClassificationTransformer classifier, int k)
    {
        var path = scored.Schema["ImagePath"];
        var score = scored.Schema["Score"];
        var rows = new List<Row>();
        using var cursor = scored.GetRowCursor([path, score]);
        var getPath = cursor.GetGetter<ReadOnlyMemory<char>>(path);
        var getScore = cursor.GetGetter<VBuffer<float>>(score);
        ReadOnlyMemory<char> p = default;
        VBuffer<float> s = default;
        while (cursor.MoveNext())
        {
            getPath(ref p);
            getScore(ref s);
            var values = s.DenseValues().ToArray();
            var top = values.Select((v, i) => (v, i)).OrderByDescending(x => x.v).ThenBy(x => x.i).Take(k).ToArray();
            rows.Add(new Row(p.ToString(), classifier.ClassNames[top[0].i], top[0].v, [.. top.Select(x => classifier.ClassNames[x.i])], [.. top.Select(x => x.v)]));
        }
        return rows;
    }

    private static string Csv(List<Row> rows, int k)
    {
        static string Quote(string s) => s.IndexOfAny([',', '"', '\n', '\r']) < 0 ? s : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        var sb = new StringBuilder("path,label,score");
        for (int i = 1; i <= k; i++) sb.Append(CultureInfo.InvariantCulture, $",label_{i},score_{i}");
        sb.Append('\n');
        foreach (var r in rows)
        {
            sb.Append(Quote(r.Path)).Append(',').Append(Quote(r.Label)).Append(',').Append(r.Score.ToString("R", CultureInfo.InvariantCulture));
            for (int i = 0; i < r.TopLabels.Length; i++)
                sb.Append(',').Append(Quote(r.TopLabels[i])).Append(',').Append(r.TopScores[i].ToString("R", CultureInfo.InvariantCulture));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static string Json(List<Row> rows) => JsonSerializer.Serialize(rows.Select(r => new
    {
        path = r.Path, label = r.Label, score = r.Score, top = r.TopLabels.Select((l, i) => new { label = l, score = r.TopScores[i] }),
    }), new JsonSerializerOptions { WriteIndented = true }) + "\n";

    /// <summary>Files as given, image files under folders, and matches of globs (* and ? in the file name part).</summary>
    private static List<string> Expand(string[] inputs)
    {
        var files = new List<string>();
        foreach (string input in inputs)
        {
            if (File.Exists(input)) files.Add(input);
            else if (Directory.Exists(input))
                files.AddRange(Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories)
                    .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal));
            else if (input.IndexOfAny(['*', '?']) >= 0)
            {
                string dir = Path.GetDirectoryName(input) is { Length: > 0 } d ? d : ".";
                if (!Directory.Exists(dir)) throw new UserException($"Folder not found: {dir}");
                files.AddRange(Directory.EnumerateFiles(dir, Path.GetFileName(input)).Order(StringComparer.Ordinal));
            }
            else throw new UserException($"Not found: {input}");
        }
        return files;
    }
}
