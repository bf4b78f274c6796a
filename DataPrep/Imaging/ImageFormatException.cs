namespace MlPipelines.DataPrep.Imaging;

/// <summary>
/// The one exception every decoder throws for input it cannot decode: truncated, corrupt,
/// unsupported or hostile files, and images over the configured pixel limit.
/// The message names the source (file path or caller-given name) and the problem.
/// </summary>
public sealed class ImageFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="source"/> with a description of the problem.</summary>
    public ImageFormatException(string source, string problem, Exception? inner = null)
        : base($"{source}: {problem}", inner)
    {
        Source = source;
        Problem = problem;
    }

    /// <summary>The file path or name of the data that failed to decode.</summary>
    public new string Source { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }
}
