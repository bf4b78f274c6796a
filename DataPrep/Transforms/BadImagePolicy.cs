namespace MlPipelines.DataPrep.Transforms;

/// <summary>What LoadImages does with files that are missing or cannot be decoded.</summary>
public enum BadImagePolicy
{
    /// <summary>Fit checks every file and throws <see cref="BadImageFilesException"/> listing the bad ones; a bad file met later throws too.</summary>
    Fail,

    /// <summary>Fit checks every file; rows of bad files are dropped, logged and listed in <see cref="ImageLoadingTransformer.Report"/>.</summary>
    Skip,
}
