using System.Buffers.Binary;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Codecs.Bmp;

/// <summary>
/// BMP decoder: 1/2/4/8-bit palettes (uncompressed, RLE8, RLE4), 16-bit (5-5-5 or bitfields such as 5-6-5),
/// 24-bit, 32-bit (BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS), bottom-up and top-down, OS/2 and Windows headers.
/// Output is RGB, or RGBA when a bitfield alpha mask is declared; the fourth byte of a 32-bit BI_RGB pixel is
/// reserved and ignored (as Pillow and Netpbm do). Bitfield channels wider or narrower than 8 bits are scaled as floor(v x 255 / max), as Pillow and bmptopnm do.
/// </summary>
internal sealed class BmpDecoder : IImageDecoder
{
    /// <inheritdoc />
    public string FormatName => "BMP";

    /// <inheritdoc />
    public bool CanDecode(ReadOnlySpan<byte> header) =>
        header.Length >= 2 && header[0] == (byte)'B' && header[1] == (byte)'M'
        && (header.Length < 18 // too short to tell: let the decoder report the truncation
            || BinaryPrimitives.ReadUInt32LittleEndian(header[14..]) is 12 or 16 or 40 or 52 or 56 or 64 or 108 or 124);

    /// <inheritdoc />
    public Image Decode(ReadOnlySpan<byte> data, string source, DecoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        BmpInfo info = BmpHeaderReader.Read(data, source);
        int w = info.Width, h = info.Height, channels = info.OutputChannels;
        long pixels = (long)w * h;
        if (pixels > options.MaxPixels)
            throw new ImageFormatException(source, $"image of {w}x{h} = {pixels} pixels exceeds the limit of {options.MaxPixels} (DecoderOptions.MaxPixels)");
        if (pixels * channels > Array.MaxLength)
            throw new ImageFormatException(source, $"image of {w}x{h}x{channels} is too large for one array");
        ReadOnlySpan<byte> raster = data[info.DataOffset..];
        int stride = w * channels;

        if (info.Compression is BmpInfo.Rle8 or BmpInfo.Rle4)
        {
            var indices = new byte[pixels];
            BmpRle.Expand(raster, w, h, info.Compression == BmpInfo.Rle4, indices, source);
            var rle = new byte[pixels * channels];
            for (int r = 0; r < h; r++)
                MapIndices(indices.AsSpan(r * w, w), info.Palette, rle.AsSpan(OutputRow(info, r) * stride, stride));
            return new Image(w, h, channels, rle);
        }

        long rowBytes = ((long)w * info.BitsPerPixel + 7) / 8;
        long fileStride = ((long)w * info.BitsPerPixel + 31) / 32 * 4;
        long needed = (fileStride * (h - 1)) + rowBytes; // the last row's padding may be missing
        if (raster.Length < needed)
            throw new ImageFormatException(source, $"truncated: the {w}x{h} {info.BitsPerPixel}-bit raster needs {needed} bytes, the file has {raster.Length} after the headers");

        var output = new byte[pixels * channels];
        for (int r = 0; r < h; r++)
        {
            ReadOnlySpan<byte> src = raster.Slice((int)(r * fileStride), (int)rowBytes);
            Span<byte> dst = output.AsSpan(OutputRow(info, r) * stride, stride);
            switch (info.BitsPerPixel)
            {
                case 24:
                    for (int x = 0; x < w; x++)
                    {
                        dst[3 * x] = src[(3 * x) + 2];
                        dst[(3 * x) + 1] = src[(3 * x) + 1];
                        dst[(3 * x) + 2] = src[3 * x];
                    }

                    break;
                case 16:
                    for (int x = 0; x < w; x++)
                        StorePixel(info, BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * x)..]), dst, x * channels);
                    break;
                case 32:
                    for (int x = 0; x < w; x++)
                        StorePixel(info, BinaryPrimitives.ReadUInt32LittleEndian(src[(4 * x)..]), dst, x * channels);
                    break;
                default:
                    ExpandIndexedRow(src, w, info.BitsPerPixel, info.Palette, dst);
                    break;
            }
        }

        return new Image(w, h, channels, output);
    }

    private static int OutputRow(BmpInfo info, int fileRow) => info.TopDown ? fileRow : info.Height - 1 - fileRow;

    private static void StorePixel(BmpInfo info, uint pixel, Span<byte> dst, int o)
    {
        dst[o] = info.Red.Extract(pixel);
        dst[o + 1] = info.Green.Extract(pixel);
        dst[o + 2] = info.Blue.Extract(pixel);
        if (info.OutputChannels == 4) dst[o + 3] = info.Alpha.Extract(pixel);
    }

    private static void ExpandIndexedRow(ReadOnlySpan<byte> src, int w, int bpp, byte[] palette, Span<byte> dst)
    {
        int mask = (1 << bpp) - 1;
        for (int x = 0; x < w; x++)
        {
            long bit = (long)x * bpp;
            int index = (src[(int)(bit >> 3)] >> (8 - bpp - (int)(bit & 7))) & mask;
            dst[3 * x] = palette[3 * index];
            dst[(3 * x) + 1] = palette[(3 * index) + 1];
            dst[(3 * x) + 2] = palette[(3 * index) + 2];
        }
    }

    private static void MapIndices(ReadOnlySpan<byte> indices, byte[] palette, Span<byte> dst)
    {
        for (int x = 0; x < indices.Length; x++)
        {
            int index = indices[x];
            dst[3 * x] = palette[3 * index];
            dst[(3 * x) + 1] = palette[(3 * index) + 1];
            dst[(3 * x) + 2] = palette[(3 * index) + 2];
        }
    }
}
