using System.Buffers.Binary;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Codecs.Bmp;

/// <summary>
/// Reads the BMP file header and the DIB header: OS/2 BITMAPCOREHEADER (12 bytes) and OS/2 2.x (16, 64),
/// BITMAPINFOHEADER (40) and its V2/V3/V4/V5 extensions (52, 56, 108, 124); bitfield masks (in the
/// header or after a 40-byte one) and the colour table.
/// </summary>
internal static class BmpHeaderReader
{
    private const int FileHeaderSize = 14;

    /// <summary>Parses the headers; throws <see cref="ImageFormatException"/> naming <paramref name="source"/>.</summary>
    public static BmpInfo Read(ReadOnlySpan<byte> data, string source)
    {
        if (data.Length < 2 || data[0] != (byte)'B' || data[1] != (byte)'M')
            throw new ImageFormatException(source, "not a BMP file (expected 'BM')");
        if (data.Length < FileHeaderSize + 4) throw new ImageFormatException(source, "truncated: the file ends inside the BMP headers");
        uint offBits = BinaryPrimitives.ReadUInt32LittleEndian(data[10..]);
        uint dibSize = BinaryPrimitives.ReadUInt32LittleEndian(data[14..]);
        if (dibSize is not (12 or 16 or 40 or 52 or 56 or 64 or 108 or 124))
            throw new ImageFormatException(source, $"unsupported DIB header size {dibSize}");
        if (data.Length < FileHeaderSize + dibSize)
            throw new ImageFormatException(source, $"truncated: the file ends inside the {dibSize}-byte DIB header");
        ReadOnlySpan<byte> dib = data.Slice(FileHeaderSize, (int)dibSize);
        bool core = dibSize == 12, os2 = dibSize is 16 or 64;

        long width, height;
        int bpp, compression = BmpInfo.Rgb;
        uint colorsUsed = 0;
        if (core)
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(dib[4..]);
            height = BinaryPrimitives.ReadUInt16LittleEndian(dib[6..]);
            bpp = BinaryPrimitives.ReadUInt16LittleEndian(dib[10..]);
        }
        else
        {
            width = BinaryPrimitives.ReadInt32LittleEndian(dib[4..]);
            height = BinaryPrimitives.ReadInt32LittleEndian(dib[8..]);
            bpp = BinaryPrimitives.ReadUInt16LittleEndian(dib[14..]);
            if (dibSize >= 20)
            {
                uint c = BinaryPrimitives.ReadUInt32LittleEndian(dib[16..]);
                compression = c switch
                {
                    0 or 1 or 2 => (int)c,
                    3 when os2 => throw new ImageFormatException(source, "OS/2 Huffman 1D compression is not supported"),
                    4 when os2 => throw new ImageFormatException(source, "OS/2 RLE24 compression is not supported"),
                    3 or 6 => (int)c,
                    4 => throw new ImageFormatException(source, "embedded JPEG (BI_JPEG) is not supported"),
                    5 => throw new ImageFormatException(source, "embedded PNG (BI_PNG) is not supported"),
                    _ => throw new ImageFormatException(source, $"unknown compression {c}"),
                };
            }

            if (dibSize >= 36) colorsUsed = BinaryPrimitives.ReadUInt32LittleEndian(dib[32..]);
        }

        bool topDown = height < 0;
        height = Math.Abs(height);
        if (width <= 0 || height <= 0 || height > int.MaxValue)
            throw new ImageFormatException(source, $"invalid image size {width}x{height}");
        bool validDepth = compression switch
        {
            BmpInfo.Rgb => bpp is 1 or 2 or 4 or 8 or 16 or 24 or 32,
            BmpInfo.Rle8 => bpp == 8,
            BmpInfo.Rle4 => bpp == 4,
            _ => bpp is 16 or 32,
        };
        if (!validDepth) throw new ImageFormatException(source, $"{bpp} bits per pixel is invalid with compression {compression}");

        int pos = FileHeaderSize + (int)dibSize;
        uint r, g, b, a = 0;
        if (compression is BmpInfo.Bitfields or BmpInfo.AlphaBitfields)
        {
            ReadOnlySpan<byte> masks;
            if (dibSize >= 52)
            {
                masks = dib[40..];
            }
            else
            {
                int n = compression == BmpInfo.AlphaBitfields ? 16 : 12;
                if (data.Length < pos + n) throw new ImageFormatException(source, "truncated: the file ends inside the bitfield masks");
                masks = data.Slice(pos, n);
                pos += n;
            }

            r = BinaryPrimitives.ReadUInt32LittleEndian(masks);
            g = BinaryPrimitives.ReadUInt32LittleEndian(masks[4..]);
            b = BinaryPrimitives.ReadUInt32LittleEndian(masks[8..]);
            if (masks.Length >= 16) a = BinaryPrimitives.ReadUInt32LittleEndian(masks[12..]);
            if (bpp == 16 && ((r | g | b | a) >> 16) != 0)
                throw new ImageFormatException(source, "bitfield masks exceed the 16 bits of a pixel");
        }
        else if (bpp == 16)
        {
            (r, g, b) = (0x7C00, 0x03E0, 0x001F);
        }
        else
        {
            (r, g, b) = (0xFF0000, 0xFF00, 0xFF);
        }

        var red = new BmpMask(r);
        var green = new BmpMask(g);
        var blue = new BmpMask(b);
        var alpha = new BmpMask(a);
        if (!red.IsContiguous || !green.IsContiguous || !blue.IsContiguous || !alpha.IsContiguous)
            throw new ImageFormatException(source, $"bitfield masks are not contiguous (R 0x{r:X8}, G 0x{g:X8}, B 0x{b:X8}, A 0x{a:X8})");
        if ((r | g | b) == 0) throw new ImageFormatException(source, "bitfield masks are all zero");

        var palette = new byte[256 * 3];
        if (bpp <= 8)
        {
            int entrySize = core ? 3 : 4;
            int max = 1 << bpp;
            int count = colorsUsed == 0 || colorsUsed > max ? max : (int)colorsUsed;
            // Writers often declare no count (meaning 2^bpp) but store fewer entries before the pixels.
            if (offBits > pos) count = (int)Math.Min(count, (offBits - pos) / entrySize);
            if (data.Length < pos + (count * entrySize))
                throw new ImageFormatException(source, "truncated: the file ends inside the colour table");
            for (int i = 0; i < count; i++)
            {
                int e = pos + (i * entrySize);
                palette[i * 3] = data[e + 2];
                palette[(i * 3) + 1] = data[e + 1];
                palette[(i * 3) + 2] = data[e];
            }

            pos += count * entrySize;
        }

        // An offset inside the headers is nonsense; assume the pixels follow the colour table.
        long offset = offBits < FileHeaderSize + dibSize ? pos : offBits;
        if (offset >= data.Length)
            throw new ImageFormatException(source, $"truncated: the pixel data offset {offset} is at or past the end of the file ({data.Length} bytes)");

        return new BmpInfo
        {
            Width = (int)width,
            Height = (int)height,
            TopDown = topDown,
            BitsPerPixel = bpp,
            Compression = compression,
            Palette = palette,
            Red = red,
            Green = green,
            Blue = blue,
            Alpha = alpha,
            DataOffset = (int)offset,
        };
    }
}
