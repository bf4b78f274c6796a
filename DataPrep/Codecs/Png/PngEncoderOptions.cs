using System.IO.Compression;

namespace MlPipelines.DataPrep.Codecs.Png;

/// <summary>Settings of the PNG encoder.</summary>
public sealed record PngEncoderOptions
{
    /// <summary>Default settings: adaptive filtering, optimal (zlib level 6) compression.</summary>
    public static PngEncoderOptions Default { get; } = new();

    /// <summary>How each scanline's filter is chosen.</summary>
    public PngFilterStrategy Filter { get; init; } = PngFilterStrategy.Adaptive;

    /// <summary>zlib compression level of the image data.</summary>
    public CompressionLevel Compression { get; init; } = CompressionLevel.Optimal;
}
