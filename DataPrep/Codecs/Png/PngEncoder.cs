using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Codecs.Png;

/// <summary>
/// Writes 8-bit PNGs: 1 channel as gray (colour type 0), 3 as RGB (2), 4 as RGBA (6), not interlaced,
/// one IDAT chunk, no ancillary chunks.
/// </summary>
internal static class PngEncoder
{
    /// <summary>Encodes <paramref name="image"/> to <paramref name="output"/>.</summary>
    public static void Encode(Image image, Stream output, PngEncoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(options);
        byte colorType = image.Channels switch
        {
            1 => PngHeader.Gray,
            3 => PngHeader.Rgb,
            _ => PngHeader.Rgba,
        };
        output.Write(PngChunkReader.Signature);
        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, image.Width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], image.Height);
        ihdr[8] = 8;
        ihdr[9] = colorType;
        WriteChunk(output, "IHDR"u8, ihdr);

        using (var idat = new MemoryStream())
        {
            using (var zlib = new ZLibStream(idat, options.Compression, leaveOpen: true))
                WriteScanlines(image, zlib, options.Filter);
            WriteChunk(output, "IDAT"u8, idat.GetBuffer().AsSpan(0, (int)idat.Length));
        }

        WriteChunk(output, "IEND"u8, []);
    }

    private static void WriteScanlines(Image image, Stream zlib, PngFilterStrategy strategy)
    {
        int stride = image.Stride, bpp = image.Channels;
        byte[] line = ArrayPool<byte>.Shared.Rent(stride + 1);
        byte[] trial = ArrayPool<byte>.Shared.Rent(stride);
        try
        {
            for (int y = 0; y < image.Height; y++)
            {
                ReadOnlySpan<byte> row = image.Row(y);
                ReadOnlySpan<byte> prior = y == 0 ? default : image.Row(y - 1);
                Span<byte> filtered = line.AsSpan(1, stride);
                if (strategy == PngFilterStrategy.Adaptive)
                {
                    long best = long.MaxValue;
                    for (byte f = PngFilters.None; f <= PngFilters.Paeth; f++)
                    {
                        Span<byte> candidate = trial.AsSpan(0, stride);
                        PngFilters.Filter(f, row, prior, candidate, bpp);
                        long cost = 0;
                        foreach (byte b in candidate) cost += b < 128 ? b : 256 - b;
                        if (cost < best)
                        {
                            best = cost;
                            line[0] = f;
                            candidate.CopyTo(filtered);
                        }
                    }
                }
                else
                {
                    line[0] = strategy switch
                    {
                        PngFilterStrategy.Sub => PngFilters.Sub,
                        PngFilterStrategy.Up => PngFilters.Up,
                        PngFilterStrategy.Average => PngFilters.Average,
                        PngFilterStrategy.Paeth => PngFilters.Paeth,
                        _ => PngFilters.None,
                    };
                    PngFilters.Filter(line[0], row, prior, filtered, bpp);
                }

                zlib.Write(line, 0, stride + 1);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(trial);
            ArrayPool<byte>.Shared.Return(line);
        }
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> body)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, body.Length);
        output.Write(word);
        output.Write(type);
        output.Write(body);
        uint crc = PngCrc32.Update(PngCrc32.Update(0xFFFFFFFFu, type), body) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        output.Write(word);
    }
}
