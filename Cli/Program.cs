using System.CommandLine;

namespace MlPipelines.Cli;

/// <summary>The `mlp` tool. With no arguments it runs `train` on the bundled sample dataset.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var verbose = new Option<bool>("--verbose") { Description = "Show stack traces on errors", Recursive = true };
        var root = new RootCommand("mlp: train, evaluate and inspect image classifiers") { verbose };
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(PredictCommand.Create());
        root.Subcommands.Add(SummaryCommand.Create());
        root.Subcommands.Add(AugmentCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        if (args.Length == 0) args = ["train"];
        ParseResult parse = root.Parse(args);
        try
        {
            // Ctrl+C cancels the action's token; training then writes a checkpoint, which may take a few seconds for large models.
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TimeSpan.FromSeconds(60) });
        }
        catch (Exception ex) when (ex is UserException or FileNotFoundException or InvalidDataException or DirectoryNotFoundException or OperationCanceledException
                                       or DataPrep.Imaging.ImageFormatException or Model.ModelFormatException or SchemaMismatchException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine(ex is OperationCanceledException ? "mlp: cancelled." : $"mlp: {ex.Message}");
            if (parse.GetValue(verbose)) Console.Error.WriteLine(ex);
            return ex is OperationCanceledException ? 130 : 2;
        }
    }
}
