using System.CommandLine;
using MlPipelines.DataPrep.Transforms;
using MlPipelines.Trainers.Onnx;

namespace MlPipelines.Cli;

/// <summary>`mlp export`: writes a saved model's network as ONNX (softmax output, dynamic batch, class names and pixel normalisation in the metadata).</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A model file written by `mlp train`", Required = true };
        var output = new Option<string>("--output") { Description = "The ONNX file to write", DefaultValueFactory = _ => "model.onnx" };
        var logits = new Option<bool>("--logits") { Description = "Output logits instead of probabilities" };
        var command = new Command("export", "Export a saved model to ONNX") { model, output, logits };
        command.SetAction(parse => Run(parse.GetValue(model)!, parse.GetValue(output)!, parse.GetValue(logits)));
        return command;
    }

    private static int Run(string modelPath, string output, bool logits)
    {
        var loaded = ModelFiles.Load(modelPath, out _);
        var classifier = ModelFiles.FindClassifier(loaded, modelPath);
        var pixels = (loaded as IEnumerable<ITransformer>)?.OfType<PixelExtractingTransformer>().LastOrDefault()?.Options;
        try
        {
            OnnxExporter.Export(classifier.Model, new OnnxExportOptions
            {
                InputShape = classifier.InputShape, ClassNames = classifier.ClassNames, IncludeSoftmax = !logits, Mean = pixels?.Mean, Std = pixels?.Std,
            }, output);
        }
        catch (NotSupportedException ex)
        {
            throw new UserException(ex.Message);
        }
        Console.WriteLine($"Wrote {output}: input 'input' [N, {classifier.InputShape.Channels}, {classifier.InputShape.Height}, {classifier.InputShape.Width}] " +
                          $"(pixels / 255, then (x - mean) / std per channel as in the metadata), output 'output' [N, {classifier.ClassNames.Count}] {(logits ? "logits" : "probabilities")}.");
        return 0;
    }
}
