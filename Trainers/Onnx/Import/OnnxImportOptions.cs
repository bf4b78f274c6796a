namespace MlPipelines.Trainers.Onnx;

/// <summary>How to import an ONNX model: where external tensor data lives and how large a tensor may be.</summary>
public sealed record OnnxImportOptions
{
    /// <summary>
    /// The folder external-data files are read from (relative locations only, confined to it). Defaults to the model file's
    /// folder when loading from a path; loading from a stream without it rejects external data.
    /// </summary>
    public string? ExternalDataDirectory { get; init; }

    /// <summary>The most elements any one tensor (initializer or computed value) may have; larger ones fail as invalid data.</summary>
    public long MaxTensorElements { get; init; } = 1L << 28;
}
