using MlPipelines.IO;
using MlPipelines.DataPrep.Codecs.Bmp;
using MlPipelines.DataPrep.Codecs.Gif;
using MlPipelines.DataPrep.Codecs.Jpeg;
using MlPipelines.DataPrep.Codecs.Png;
using MlPipelines.DataPrep.Codecs.Pnm;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Codecs;

/// <summary>
/// Entry point of the managed image codecs. <c>Decode</c> recognises the format from the first bytes
/// (PNG, BMP, GIF, Netpbm PNM/PAM, JPEG) and returns an 8-bit gray, RGB or RGBA <see cref="Image"/>; corrupt,
/// truncated, unsupported or over-limit data throws <see cref="ImageFormatException"/> naming the source.
/// Encoders write PNG (8-bit gray/RGB/RGBA) and binary PGM/PPM/PAM; file writes are atomic
/// (a temporary file in the same folder, then a rename).
/// </summary>
public static class ImageCodecs
{
    // Stateless, thread-safe decoders, tried in order on the first bytes of the data.
    private static readonly IImageDecoder[] Decoders =
    [
        new PngDecoder(),
        new BmpDecoder(),
        new GifDecoder(),
        new PnmDecoder(),
        new JpegDecoder(),
    ];

    /// <summary>Names of the formats <c>Decode</c> recognises, e.g. "PNG".</summary>
    public static IReadOnlyList<string> SupportedFormats { get; } = Array.AsReadOnly(Decoders.Select(d => d.FormatName).ToArray());

    /// <summary>The format name the first bytes of a file identify (pass at least 16 when the file has them), or null.</summary>
    public static string? DetectFormat(ReadOnlySpan<byte> header) => FindDecoder(header)?.FormatName;

    /// <summary>Decodes an encoded image held in memory; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="ImageFormatException">The data is empty, of an unknown format, corrupt, truncated or over the pixel limit.</exception>
    public static Image Decode(ReadOnlySpan<byte> data, string source = "<memory>", DecoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= DecoderOptions.Default;
        if (data.IsEmpty) throw new ImageFormatException(source, "empty file (0 bytes)");
        IImageDecoder decoder = FindDecoder(data)
            ?? throw new ImageFormatException(source, $"unrecognised image format (first bytes {Convert.ToHexString(data[..Math.Min(8, data.Length)])}); supported: {string.Join(", ", SupportedFormats)}");
        return decoder.Decode(data, source, options);
    }

    /// <summary>Reads <paramref name="stream"/> to its end and decodes it; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="ImageFormatException">The data cannot be decoded.</exception>
    public static Image Decode(Stream stream, string source = "<stream>", DecoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.CanSeek)
        {
            long remaining = stream.Length - stream.Position;
            if (remaining > Array.MaxLength) throw new ImageFormatException(source, $"{remaining} bytes is too large to decode");
            var bytes = new byte[Math.Max(0, remaining)];
            int n = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            return Decode(bytes.AsSpan(0, n), source, options);
        }

        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Decode(copy.GetBuffer().AsSpan(0, (int)copy.Length), source, options);
    }

    /// <summary>Reads and decodes the file at <paramref name="path"/>; errors name the path.</summary>
    /// <exception cref="ImageFormatException">The file's content cannot be decoded.</exception>
    /// <exception cref="IOException">The file cannot be read (missing, no access...).</exception>
    public static Image DecodeFile(string path, DecoderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        return Decode(file, path, options);
    }

    /// <summary>Encodes <paramref name="image"/> as an 8-bit PNG (gray, RGB or RGBA after its channel count).</summary>
    public static byte[] EncodePng(Image image, PngEncoderOptions? options = null)
    {
        using var buffer = new MemoryStream();
        EncodePng(image, buffer, options);
        return buffer.ToArray();
    }

    /// <summary>Writes <paramref name="image"/> as an 8-bit PNG to <paramref name="destination"/>.</summary>
    public static void EncodePng(Image image, Stream destination, PngEncoderOptions? options = null) =>
        PngEncoder.Encode(image, destination, options ?? PngEncoderOptions.Default);

    /// <summary>Saves <paramref name="image"/> as a PNG file, atomically.</summary>
    public static void SavePng(Image image, string path, PngEncoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        WriteAtomically(path, s => EncodePng(image, s, options));
    }

    /// <summary>Encodes <paramref name="image"/> as binary Netpbm: PGM (P5) for gray, PPM (P6) for RGB, PAM (P7) for RGBA.</summary>
    public static byte[] EncodePnm(Image image)
    {
        using var buffer = new MemoryStream();
        EncodePnm(image, buffer);
        return buffer.ToArray();
    }

    /// <summary>Writes <paramref name="image"/> as binary Netpbm to <paramref name="destination"/>.</summary>
    public static void EncodePnm(Image image, Stream destination) => PnmEncoder.Encode(image, destination);

    /// <summary>Saves <paramref name="image"/> as a binary Netpbm file (PGM, PPM or PAM after its channel count), atomically.</summary>
    public static void SavePnm(Image image, string path)
    {
        ArgumentNullException.ThrowIfNull(image);
        WriteAtomically(path, s => EncodePnm(image, s));
    }

    /// <summary>Saves <paramref name="image"/> in the format its extension names: .png, or .pgm/.ppm/.pnm/.pam (Netpbm).</summary>
    /// <exception cref="ArgumentException">The extension names no format the library writes.</exception>
    public static void Save(Image image, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string extension = Path.GetExtension(path).ToLowerInvariant();
        switch (extension)
        {
            case ".png":
                SavePng(image, path);
                break;
            case ".pgm" or ".ppm" or ".pnm" or ".pam":
                SavePnm(image, path);
                break;
            default:
                throw new ArgumentException($"Cannot choose an image format for '{path}': use .png, .pgm, .ppm, .pnm or .pam.", nameof(path));
        }
    }

    private static IImageDecoder? FindDecoder(ReadOnlySpan<byte> header)
    {
        foreach (IImageDecoder decoder in Decoders)
            if (decoder.CanDecode(header)) return decoder;
        return null;
    }

    private static void WriteAtomically(string path, Action<Stream> write) => AtomicFile.Write(path, write);
}
