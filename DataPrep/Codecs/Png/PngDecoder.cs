using System.Buffers;
using System.IO.Compression;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Codecs.Png;

/// <summary>
/// PNG decoder (ISO/IEC 15948, RFC 2083): every colour type and bit depth, palettes with tRNS,
/// transparency keys, Adam7 interlacing and the five filters; zlib through <see cref="ZLibStream"/>.
/// Output: gray 1 channel, RGB and palette 3, anything with alpha or a tRNS chunk 4 (RGBA);
/// 16-bit samples keep their high byte (libpng's png_set_strip_16).
/// </summary>
internal sealed class PngDecoder : IImageDecoder
{
    /// <summary>Deflate cannot expand data by more than 1032:1, so less compressed data than this ratio implies is a truncated file.</summary>
    private const long MaxDeflateRatio = 1032;

    private static readonly (int X0, int Y0, int Dx, int Dy)[] Adam7 =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    /// <inheritdoc />
    public string FormatName => "PNG";

    /// <inheritdoc />
    public bool CanDecode(ReadOnlySpan<byte> header) =>
        header.Length >= PngChunkReader.Signature.Length
            ? header.StartsWith(PngChunkReader.Signature)
            : header.Length >= 4 && PngChunkReader.Signature.StartsWith(header); // a truncated file is still reported as a PNG

    /// <inheritdoc />
    public Image Decode(ReadOnlySpan<byte> data, string source, DecoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        PngStructure png = PngChunkReader.Read(data, source);
        PngHeader h = png.Header;
        int channels = png.OutputChannels;
        long pixels = (long)h.Width * h.Height;
        if (pixels > options.MaxPixels)
            throw new ImageFormatException(source, $"image of {h.Width}x{h.Height} = {pixels} pixels exceeds the limit of {options.MaxPixels} (DecoderOptions.MaxPixels)");
        if (pixels * channels > Array.MaxLength)
            throw new ImageFormatException(source, $"image of {h.Width}x{h.Height}x{channels} is too large for one array");

        long expected = InflatedSize(h);
        if (expected > Array.MaxLength)
            throw new ImageFormatException(source, $"image of {h.Width}x{h.Height} needs {expected} bytes of scanlines, too large for one array");
        if (expected > (png.ImageDataLength * MaxDeflateRatio) + 64)
            throw new ImageFormatException(source, $"truncated: {png.ImageDataLength} bytes of compressed data cannot hold the {expected} bytes of a {h.Width}x{h.Height} image");

        byte[] compressed = ArrayPool<byte>.Shared.Rent((int)png.ImageDataLength);
        byte[] scanlines = ArrayPool<byte>.Shared.Rent((int)expected);
        try
        {
            int at = 0;
            foreach (var (offset, length) in png.ImageData)
            {
                data.Slice(offset, length).CopyTo(compressed.AsSpan(at));
                at += length;
            }

            Inflate(compressed, at, scanlines.AsSpan(0, (int)expected), source);
            var output = new byte[pixels * channels];
            if (h.Interlaced) DecodeInterlaced(png, scanlines, output, source);
            else DecodeProgressive(png, scanlines, output, source);
            return new Image(h.Width, h.Height, channels, output);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scanlines);
            ArrayPool<byte>.Shared.Return(compressed);
        }
    }

    /// <summary>Bytes of filtered scanlines (each with its filter byte) the image needs, all passes included.</summary>
    internal static long InflatedSize(PngHeader h)
    {
        if (!h.Interlaced) return (h.RowBytes(h.Width) + 1) * h.Height;
        long total = 0;
        foreach (var (x0, y0, dx, dy) in Adam7)
        {
            long w = PassSize(h.Width, x0, dx), rows = PassSize(h.Height, y0, dy);
            if (w > 0 && rows > 0) total += (h.RowBytes(w) + 1) * rows;
        }

        return total;
    }

    private static long PassSize(long size, int start, int step) => size > start ? (size - start + step - 1) / step : 0;

    /// <summary>Inflates exactly <paramref name="destination"/>.Length bytes; data past that (never read) cannot inflate a bomb.</summary>
    private static void Inflate(byte[] zlib, int zlibLength, Span<byte> destination, string source)
    {
        int got;
        try
        {
            using var input = new MemoryStream(zlib, 0, zlibLength, writable: false);
            using var inflater = new ZLibStream(input, CompressionMode.Decompress);
            got = inflater.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            // Corrupt streams surface as InvalidDataException, and some (e.g. a bad window size) as ZLibException, an IOException.
            throw new ImageFormatException(source, $"corrupt zlib image data: {e.Message}", e);
        }

        if (got < destination.Length)
            throw new ImageFormatException(source, $"truncated: the image data inflates to {got} bytes, {destination.Length} expected");
    }

    private static void DecodeProgressive(PngStructure png, byte[] scanlines, byte[] output, string source)
    {
        PngHeader h = png.Header;
        int rowBytes = (int)h.RowBytes(h.Width);
        int bpp = h.FilterBpp;
        int stride = h.Width * png.OutputChannels;
        // 8-bit gray, RGB and RGBA without a key are already in output layout: unfilter straight into the image.
        bool direct = h.BitDepth == 8 && png.OutputChannels == h.SamplesPerPixel && h.ColorType != PngHeader.Palette;
        var converter = new PngRowConverter(png);
        for (int y = 0; y < h.Height; y++)
        {
            int at = y * (rowBytes + 1);
            byte filter = scanlines[at];
            Span<byte> raw = scanlines.AsSpan(at + 1, rowBytes);
            if (direct)
            {
                Span<byte> dst = output.AsSpan(y * stride, stride);
                ReadOnlySpan<byte> prior = y == 0 ? default : output.AsSpan((y - 1) * stride, stride);
                if (!PngFilters.Unfilter(filter, raw, dst, prior, bpp)) throw BadFilter(source, filter, y, 0);
            }
            else
            {
                ReadOnlySpan<byte> prior = y == 0 ? default : scanlines.AsSpan(at - rowBytes, rowBytes);
                if (!PngFilters.Unfilter(filter, raw, raw, prior, bpp)) throw BadFilter(source, filter, y, 0);
                converter.Convert(raw, h.Width, output.AsSpan(y * stride, stride), 0, 1);
            }
        }
    }

    private static void DecodeInterlaced(PngStructure png, byte[] scanlines, byte[] output, string source)
    {
        PngHeader h = png.Header;
        int bpp = h.FilterBpp;
        int stride = h.Width * png.OutputChannels;
        var converter = new PngRowConverter(png);
        int at = 0;
        for (int pass = 0; pass < Adam7.Length; pass++)
        {
            var (x0, y0, dx, dy) = Adam7[pass];
            int w = (int)PassSize(h.Width, x0, dx), rows = (int)PassSize(h.Height, y0, dy);
            if (w == 0 || rows == 0) continue;
            int rowBytes = (int)h.RowBytes(w);
            for (int r = 0; r < rows; r++, at += rowBytes + 1)
            {
                byte filter = scanlines[at];
                Span<byte> raw = scanlines.AsSpan(at + 1, rowBytes);
                ReadOnlySpan<byte> prior = r == 0 ? default : scanlines.AsSpan(at - rowBytes, rowBytes);
                if (!PngFilters.Unfilter(filter, raw, raw, prior, bpp)) throw BadFilter(source, filter, r, pass + 1);
                int y = y0 + (r * dy);
                converter.Convert(raw, w, output.AsSpan(y * stride, stride), x0, dx);
            }
        }
    }

    private static ImageFormatException BadFilter(string source, byte filter, int row, int pass) =>
        new(source, pass == 0
            ? $"invalid filter type {filter} on row {row}"
            : $"invalid filter type {filter} on row {row} of interlace pass {pass}");
}
