namespace MlPipelines.DataPrep.Transforms;

/// <summary>LoadImages' validation found files that are missing or cannot be decoded (with <see cref="BadImagePolicy.Fail"/>); the message lists them.</summary>
public sealed class BadImageFilesException : Exception
{
    private const int Listed = 20;

    /// <summary>Creates the exception for <paramref name="badFiles"/> out of <paramref name="filesChecked"/>.</summary>
    public BadImageFilesException(IReadOnlyList<BadImageFile> badFiles, long filesChecked)
        : base(Describe(badFiles, filesChecked))
    {
        BadFiles = badFiles;
    }

    /// <summary>The bad files, in row order.</summary>
    public IReadOnlyList<BadImageFile> BadFiles { get; }

    private static string Describe(IReadOnlyList<BadImageFile> badFiles, long checkedCount)
    {
        ArgumentNullException.ThrowIfNull(badFiles);
        var lines = badFiles.Take(Listed).Select(b => $"  {b.Path}: {b.Reason}");
        string more = badFiles.Count > Listed ? $"{Environment.NewLine}  ... and {badFiles.Count - Listed} more" : string.Empty;
        return $"{badFiles.Count} of {checkedCount} image files cannot be loaded (use BadImagePolicy.Skip to drop them):{Environment.NewLine}"
            + string.Join(Environment.NewLine, lines) + more;
    }
}
