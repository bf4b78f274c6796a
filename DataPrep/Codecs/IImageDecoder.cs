using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Codecs;

/// <summary>A decoder for one file format. Implementations are stateless and thread-safe.</summary>
internal interface IImageDecoder
{
    /// <summary>Short format name, e.g. "PNG".</summary>
    string FormatName { get; }

    /// <summary>Whether the first bytes of a file (at least 16 when the file has them) identify this format.</summary>
    bool CanDecode(ReadOnlySpan<byte> header);

    /// <summary>
    /// Decodes a whole file to 8-bit gray, RGB or RGBA. Throws only <see cref="ImageFormatException"/>
    /// (naming <paramref name="source"/>) for bad input.
    /// </summary>
    Image Decode(ReadOnlySpan<byte> data, string source, DecoderOptions options);
}
