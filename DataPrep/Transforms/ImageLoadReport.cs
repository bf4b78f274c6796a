namespace MlPipelines.DataPrep.Transforms;

/// <summary>What LoadImages' validation pass found: how many files it checked and which ones were bad.</summary>
/// <param name="FilesChecked">Rows checked (0 when Fit did not validate).</param>
/// <param name="BadFiles">The bad files, in row order.</param>
public sealed record ImageLoadReport(long FilesChecked, IReadOnlyList<BadImageFile> BadFiles)
{
    /// <summary>The empty report (no validation pass ran).</summary>
    public static ImageLoadReport None { get; } = new(0, []);

    /// <summary>Number of rows dropped (Skip) or rejected (Fail).</summary>
    public int BadCount => BadFiles.Count;
}
