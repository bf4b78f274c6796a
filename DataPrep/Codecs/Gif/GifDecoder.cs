using System.Buffers;
using System.Buffers.Binary;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Codecs.Gif;

/// <summary>
/// GIF87a/GIF89a decoder for the first image of a file: global or local colour table, LZW, interlaced
/// rows, and the transparent index of a preceding graphic control extension (giving RGBA, alpha 0 for that
/// index). The result has the first image's own size (as giftopnm), not the logical screen's.
/// </summary>
internal sealed class GifDecoder : IImageDecoder
{
    // Interlaced rows arrive as every 8th row from 0, every 8th from 4, every 4th from 2, then every 2nd from 1.
    private static readonly (int Start, int Step)[] InterlacePasses = [(0, 8), (4, 8), (2, 4), (1, 2)];

    /// <inheritdoc />
    public string FormatName => "GIF";

    /// <inheritdoc />
    public bool CanDecode(ReadOnlySpan<byte> header) =>
        header.StartsWith("GIF87a"u8) || header.StartsWith("GIF89a"u8)
        || (header.Length < 6 && header.Length >= 3 && "GIF89a"u8.StartsWith(header)); // a truncated file is still reported as a GIF

    /// <inheritdoc />
    public Image Decode(ReadOnlySpan<byte> data, string source, DecoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (data.Length < 6) throw new ImageFormatException(source, "truncated: the file ends inside the GIF signature");
        if (!data.StartsWith("GIF87a"u8) && !data.StartsWith("GIF89a"u8)) throw new ImageFormatException(source, "not a GIF file (expected GIF87a or GIF89a)");
        if (data.Length < 13) throw new ImageFormatException(source, "truncated: the file ends inside the logical screen descriptor");
        byte screenFlags = data[10];
        int pos = 13;
        ReadOnlySpan<byte> globalTable = default;
        if ((screenFlags & 0x80) != 0)
        {
            int size = 3 << ((screenFlags & 7) + 1);
            if (data.Length - pos < size) throw new ImageFormatException(source, "truncated: the file ends inside the global colour table");
            globalTable = data.Slice(pos, size);
            pos += size;
        }

        int transparent = -1;
        while (true)
        {
            if (pos >= data.Length) throw new ImageFormatException(source, "truncated: the file ends before the first image");
            byte block = data[pos++];
            if (block == 0x21)
            {
                if (pos >= data.Length) throw new ImageFormatException(source, "truncated: the file ends inside an extension");
                byte label = data[pos++];
                int start = pos;
                pos = SkipSubBlocks(data, pos, source);
                // Graphic control extension: one 4-byte sub-block (flags, delay, transparent index).
                if (label == 0xF9 && pos - start >= 6 && data[start] == 4)
                    transparent = (data[start + 1] & 1) != 0 ? data[start + 4] : -1;
            }
            else if (block == 0x2C)
            {
                return DecodeImage(data, pos, globalTable, transparent, source, options);
            }
            else if (block == 0x3B)
            {
                throw new ImageFormatException(source, "the file has no image (trailer before any image descriptor)");
            }
            else
            {
                throw new ImageFormatException(source, $"unknown block type 0x{block:X2} at byte {pos - 1}");
            }
        }
    }

    private static Image DecodeImage(ReadOnlySpan<byte> data, int pos, ReadOnlySpan<byte> globalTable, int transparent,
        string source, DecoderOptions options)
    {
        if (data.Length - pos < 9) throw new ImageFormatException(source, "truncated: the file ends inside the image descriptor");
        int w = BinaryPrimitives.ReadUInt16LittleEndian(data[(pos + 4)..]);
        int h = BinaryPrimitives.ReadUInt16LittleEndian(data[(pos + 6)..]);
        byte flags = data[pos + 8];
        pos += 9;
        if (w == 0 || h == 0) throw new ImageFormatException(source, $"invalid image size {w}x{h}");
        long pixels = (long)w * h;
        if (pixels > options.MaxPixels)
            throw new ImageFormatException(source, $"image of {w}x{h} = {pixels} pixels exceeds the limit of {options.MaxPixels} (DecoderOptions.MaxPixels)");

        ReadOnlySpan<byte> table = globalTable;
        if ((flags & 0x80) != 0)
        {
            int size = 3 << ((flags & 7) + 1);
            if (data.Length - pos < size) throw new ImageFormatException(source, "truncated: the file ends inside the local colour table");
            table = data.Slice(pos, size);
            pos += size;
        }

        if (table.IsEmpty) throw new ImageFormatException(source, "the image has neither a local nor a global colour table");
        if (pos >= data.Length) throw new ImageFormatException(source, "truncated: the file ends before the LZW code size");
        int minCodeSize = data[pos++];
        if (minCodeSize is < 1 or > 8) throw new ImageFormatException(source, $"invalid LZW minimum code size {minCodeSize}");

        // Gather the image data sub-blocks into one buffer.
        int start = pos;
        int end = SkipSubBlocks(data, pos, source);
        int length = end - start;
        byte[] lzw = ArrayPool<byte>.Shared.Rent(Math.Max(1, length));
        try
        {
            int n = 0;
            for (int p = start; data[p] != 0; p += data[p] + 1)
            {
                data.Slice(p + 1, data[p]).CopyTo(lzw.AsSpan(n));
                n += data[p];
            }

            var indices = new byte[pixels];
            int got = GifLzw.Decode(lzw.AsSpan(0, n), minCodeSize, indices, source);
            if (got < pixels)
                throw new ImageFormatException(source, $"truncated: the LZW data yields {got} of {pixels} pixels");
            return Render(indices, w, h, (flags & 0x40) != 0, table, transparent);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(lzw);
        }
    }

    private static Image Render(byte[] indices, int w, int h, bool interlaced, ReadOnlySpan<byte> table, int transparent)
    {
        int channels = transparent >= 0 ? 4 : 3;
        int entries = table.Length / 3;
        var rgba = new byte[256 * 4]; // indices past the table are opaque black
        for (int i = 0; i < 256; i++)
        {
            if (i < entries)
            {
                rgba[i * 4] = table[i * 3];
                rgba[(i * 4) + 1] = table[(i * 3) + 1];
                rgba[(i * 4) + 2] = table[(i * 3) + 2];
            }

            rgba[(i * 4) + 3] = i == transparent ? (byte)0 : (byte)255;
        }

        var output = new byte[(long)w * h * channels];
        int row = 0;
        foreach (var (startRow, step) in interlaced ? InterlacePasses : [(0, 1)])
        {
            for (int y = startRow; y < h; y += step, row++)
            {
                ReadOnlySpan<byte> src = indices.AsSpan(row * w, w);
                int o = y * w * channels;
                for (int x = 0; x < w; x++, o += channels)
                {
                    int p = src[x] * 4;
                    output[o] = rgba[p];
                    output[o + 1] = rgba[p + 1];
                    output[o + 2] = rgba[p + 2];
                    if (channels == 4) output[o + 3] = rgba[p + 3];
                }
            }
        }

        return new Image(w, h, channels, output);
    }

    /// <summary>Returns the position after the zero-length block that ends a chain of sub-blocks.</summary>
    private static int SkipSubBlocks(ReadOnlySpan<byte> data, int pos, string source)
    {
        while (true)
        {
            if (pos >= data.Length) throw new ImageFormatException(source, "truncated: the file ends inside a chain of data sub-blocks");
            int size = data[pos];
            if (size == 0) return pos + 1;
            if (data.Length - pos - 1 < size) throw new ImageFormatException(source, "truncated: a data sub-block runs past the end of the file");
            pos += size + 1;
        }
    }
}
