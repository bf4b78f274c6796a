namespace MlPipelines.DataPrep.Transforms;

/// <summary>A file LoadImages could not use.</summary>
/// <param name="Path">The path as it appears in the input column.</param>
/// <param name="Reason">Why (missing, unknown format, corrupt data...).</param>
public sealed record BadImageFile(string Path, string Reason);
