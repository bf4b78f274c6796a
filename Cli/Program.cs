namespace MlPipelines.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        Console.WriteLine("mlp: the training job is being assembled; see README.md.");
        return 0;
    }
}
