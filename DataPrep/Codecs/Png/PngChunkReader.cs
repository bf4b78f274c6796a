using System.Buffers.Binary;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Codecs.Png;

/// <summary>
/// Walks the chunks of a PNG file (specification section 5): checks the signature, every chunk's
/// length and CRC, the chunk order rules that matter for decoding, and rejects unknown critical chunks.
/// Ancillary chunks other than tRNS are skipped (after their CRC is checked).
/// </summary>
internal static class PngChunkReader
{
    /// <summary>The eight-byte PNG signature.</summary>
    public static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];

    private const uint IHDR = 0x49484452, PLTE = 0x504C5445, IDAT = 0x49444154, IEND = 0x49454E44, TRNS = 0x74524E53;

    /// <summary>Parses the file's structure; throws <see cref="ImageFormatException"/> naming <paramref name="source"/> on any violation.</summary>
    public static PngStructure Read(ReadOnlySpan<byte> data, string source)
    {
        if (data.Length < Signature.Length || !data[..Signature.Length].SequenceEqual(Signature))
            throw new ImageFormatException(source, "not a PNG file (bad signature)");

        PngHeader? header = null;
        var palette = new byte[256 * 4];
        for (int i = 0; i < 256; i++) palette[(i * 4) + 3] = 255;
        int paletteCount = 0;
        ReadOnlySpan<byte> trns = default;
        bool sawTrns = false;
        var idat = new List<(int, int)>();
        long idatLength = 0;
        bool idatEnded = false; // a non-IDAT chunk came after the IDAT run
        bool sawEnd = false;
        int pos = Signature.Length;
        while (!sawEnd)
        {
            if (data.Length - pos < 8)
                throw new ImageFormatException(source, $"truncated: the file ends at byte {data.Length} before the IEND chunk");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(data.Slice(pos, 4));
            uint type = BinaryPrimitives.ReadUInt32BigEndian(data.Slice(pos + 4, 4));
            string name = ChunkName(data.Slice(pos + 4, 4));
            if (length > int.MaxValue)
                throw new ImageFormatException(source, $"chunk '{name}' at byte {pos} declares length {length}, over the 2^31-1 limit");
            if (!IsValidType(data.Slice(pos + 4, 4)))
                throw new ImageFormatException(source, $"invalid chunk type bytes '{name}' at byte {pos}");
            if ((long)data.Length - pos - 12 < length)
                throw new ImageFormatException(source, $"truncated: chunk '{name}' at byte {pos} declares {length} bytes but the file ends at byte {data.Length}");
            int bodyOffset = pos + 8;
            ReadOnlySpan<byte> body = data.Slice(bodyOffset, (int)length);
            uint storedCrc = BinaryPrimitives.ReadUInt32BigEndian(data.Slice(bodyOffset + (int)length, 4));
            uint crc = PngCrc32.Update(PngCrc32.Update(0xFFFFFFFFu, data.Slice(pos + 4, 4)), body) ^ 0xFFFFFFFFu;
            if (crc != storedCrc)
                throw new ImageFormatException(source, $"CRC mismatch in chunk '{name}' at byte {pos} (stored 0x{storedCrc:X8}, computed 0x{crc:X8})");

            if (header is null && type != IHDR)
                throw new ImageFormatException(source, $"the first chunk is '{name}', not IHDR");
            if (idat.Count > 0 && type != IDAT) idatEnded = true;
            switch (type)
            {
                case IHDR:
                    if (header is not null) throw new ImageFormatException(source, "duplicate IHDR chunk");
                    header = ParseHeader(body, source);
                    break;
                case PLTE when header!.Value.ColorType is PngHeader.Rgb or PngHeader.Rgba:
                    break; // a suggested quantisation palette: not needed to decode
                case PLTE:
                    if (paletteCount > 0) throw new ImageFormatException(source, "duplicate PLTE chunk");
                    if (idat.Count > 0) throw new ImageFormatException(source, "PLTE chunk after the image data");
                    if (header.Value.ColorType is PngHeader.Gray or PngHeader.GrayAlpha)
                        throw new ImageFormatException(source, "PLTE chunk in a grayscale image");
                    if (length == 0 || length % 3 != 0 || length > 768)
                        throw new ImageFormatException(source, $"PLTE chunk length {length} is not 3 x (1..256)");
                    // Like libpng, entries past what the bit depth can index are ignored.
                    paletteCount = Math.Min((int)length / 3, 1 << header.Value.BitDepth);
                    for (int i = 0; i < paletteCount; i++)
                    {
                        palette[i * 4] = body[i * 3];
                        palette[(i * 4) + 1] = body[(i * 3) + 1];
                        palette[(i * 4) + 2] = body[(i * 3) + 2];
                    }

                    break;
                case TRNS:
                    if (idat.Count == 0 && !sawTrns)
                    {
                        sawTrns = true;
                        trns = body;
                    }

                    break;
                case IDAT:
                    if (idatEnded) throw new ImageFormatException(source, $"IDAT chunk at byte {pos} does not follow the other IDAT chunks");
                    if (header!.Value.ColorType == PngHeader.Palette && paletteCount == 0)
                        throw new ImageFormatException(source, "palette image without a PLTE chunk before the image data");
                    if (length > 0) idat.Add((bodyOffset, (int)length));
                    idatLength += length;
                    break;
                case IEND:
                    sawEnd = true;
                    break;
                default:
                    if ((data[pos + 4] & 0x20) == 0)
                        throw new ImageFormatException(source, $"unknown critical chunk '{name}' at byte {pos}");
                    break;
            }

            pos = bodyOffset + (int)length + 4;
        }

        if (idat.Count == 0) throw new ImageFormatException(source, "no image data (IDAT) before IEND");
        PngHeader h = header!.Value;
        return ApplyTransparency(h, palette, paletteCount, sawTrns ? trns : default, sawTrns, idat, idatLength);
    }

    private static PngStructure ApplyTransparency(PngHeader h, byte[] palette, int paletteCount, ReadOnlySpan<byte> trns, bool sawTrns,
        List<(int, int)> idat, long idatLength)
    {
        // libpng treats a tRNS of the wrong length (or in an image with an alpha channel) as a benign error and ignores it.
        bool has = false;
        ushort g = 0, r = 0, gr = 0, b = 0;
        if (sawTrns)
        {
            switch (h.ColorType)
            {
                case PngHeader.Palette when trns.Length >= 1 && trns.Length <= paletteCount:
                    for (int i = 0; i < trns.Length; i++) palette[(i * 4) + 3] = trns[i];
                    has = true;
                    break;
                case PngHeader.Gray when trns.Length == 2:
                    g = BinaryPrimitives.ReadUInt16BigEndian(trns);
                    has = true;
                    break;
                case PngHeader.Rgb when trns.Length == 6:
                    r = BinaryPrimitives.ReadUInt16BigEndian(trns);
                    gr = BinaryPrimitives.ReadUInt16BigEndian(trns[2..]);
                    b = BinaryPrimitives.ReadUInt16BigEndian(trns[4..]);
                    has = true;
                    break;
            }
        }

        return new PngStructure
        {
            Header = h,
            Palette = palette,
            HasTransparency = has,
            KeyGray = g,
            KeyRed = r,
            KeyGreen = gr,
            KeyBlue = b,
            ImageData = idat,
            ImageDataLength = idatLength,
        };
    }

    private static PngHeader ParseHeader(ReadOnlySpan<byte> body, string source)
    {
        if (body.Length != 13) throw new ImageFormatException(source, $"IHDR chunk length {body.Length} is not 13");
        uint width = BinaryPrimitives.ReadUInt32BigEndian(body);
        uint height = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
        int depth = body[8], colorType = body[9], compression = body[10], filter = body[11], interlace = body[12];
        if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue)
            throw new ImageFormatException(source, $"invalid image size {width}x{height}");
        if (!PngHeader.IsValidCombination(colorType, depth))
            throw new ImageFormatException(source, $"invalid colour type {colorType} with bit depth {depth}");
        if (compression != 0) throw new ImageFormatException(source, $"unknown compression method {compression}");
        if (filter != 0) throw new ImageFormatException(source, $"unknown filter method {filter}");
        if (interlace > 1) throw new ImageFormatException(source, $"unknown interlace method {interlace}");
        return new PngHeader((int)width, (int)height, depth, colorType, interlace == 1);
    }

    private static bool IsValidType(ReadOnlySpan<byte> type)
    {
        foreach (byte c in type)
            if (!char.IsAsciiLetter((char)c)) return false;
        return true;
    }

    private static string ChunkName(ReadOnlySpan<byte> type)
    {
        Span<char> chars = stackalloc char[4];
        for (int i = 0; i < 4; i++) chars[i] = type[i] is >= 0x20 and < 0x7F ? (char)type[i] : '?';
        return new string(chars);
    }
}
