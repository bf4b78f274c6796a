using System.CommandLine;
using MlPipelines.Engine.Nn;
using MlPipelines.Trainers.ImageClassification;

namespace MlPipelines.Cli;

/// <summary>`mlp summary`: the layer table (output shapes, parameters, multiply-adds) of a saved model or a named architecture.</summary>
internal static class SummaryCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "A model file written by `mlp train` (or ctx.Model.Save)" };
        var arch = new Option<string?>("--arch") { Description = $"An architecture: {string.Join(", ", ImageClassificationArchitectures.Names)}" };
        var channels = new Option<int>("--channels") { Description = "Input channels (with --arch)", DefaultValueFactory = _ => 3 };
        var size = new Option<int>("--size") { Description = "Input height and width (with --arch)", DefaultValueFactory = _ => 224 };
        var classes = new Option<int>("--classes") { Description = "Classes (with --arch)", DefaultValueFactory = _ => 1000 };
        var command = new Command("summary", "Print the layer table of a model file or an architecture") { model, arch, channels, size, classes };
        command.SetAction(parse => Run(parse.GetValue(model), parse.GetValue(arch), parse.GetValue(channels), parse.GetValue(size), parse.GetValue(classes)));
        return command;
    }

    private static int Run(string? modelPath, string? arch, int channels, int size, int classes)
    {
        if ((modelPath is null) == (arch is null)) throw new UserException("Give either --model FILE or --arch NAME.");
        Module module;
        int c, h, w;
        string title;
        if (modelPath is not null)
        {
            var transformer = ModelFiles.LoadClassifier(modelPath);
            (module, (c, h, w)) = (transformer.Model, transformer.InputShape);
            title = $"{transformer.Architecture} from {modelPath}: {c}x{h}x{w} input, {transformer.ClassNames.Count} classes ({string.Join(", ", transformer.ClassNames.Take(10))}{(transformer.ClassNames.Count > 10 ? ", ..." : "")})";
        }
        else
        {
            if (!ImageClassificationArchitectures.Contains(arch!))
                throw new UserException($"Unknown architecture '{arch}'. Choose one of: {string.Join(", ", ImageClassificationArchitectures.Names)}.");
            if (channels < 1 || size < 1 || classes < 2) throw new UserException("--channels and --size must be positive and --classes at least 2.");
            (c, h, w) = (channels, size, size);
            try
            {
                module = ImageClassificationArchitectures.Create(arch!, new ArchitectureInput(c, h, w, classes, 0));
            }
            catch (ArgumentException ex)
            {
                throw new UserException(ex.Message.Split(" (Parameter")[0]);
            }
            title = $"{arch}: {c}x{h}x{w} input, {classes} classes";
        }
        var summary = ModelSummary.Create(module, 1, c, h, w);
        Console.WriteLine(title);
        Console.WriteLine(summary.ToString());
        return 0;
    }
}
