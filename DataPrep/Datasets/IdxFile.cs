using System.Buffers.Binary;
using System.IO.Compression;

namespace MlPipelines.DataPrep.Datasets;

/// <summary>
/// Reads IDX files (the MNIST / Fashion-MNIST format), plain or gzipped: a big-endian magic
/// (two zero bytes, a type byte, the number of dimensions), big-endian int32 dimensions, then the
/// values row-major. Only unsigned-byte data (type 0x08), which every MNIST-style file uses, is read.
/// </summary>
public static class IdxFile
{
    private const byte UnsignedByteType = 0x08;

    /// <summary>Largest file accepted (after decompression) unless the caller says otherwise.</summary>
    public const long DefaultMaxBytes = 4L << 30;

    /// <summary>Reads a file; a name ending in ".gz" (or gzip magic bytes) is decompressed.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed unsigned-byte IDX file; the message names it.</exception>
    public static IdxData Read(string path, long maxBytes = DefaultMaxBytes)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file not found: {path}", path);
        using var file = File.OpenRead(path);
        return Read(file, path, maxBytes);
    }

    /// <summary>Reads from a stream; <paramref name="source"/> names it in errors.</summary>
    public static IdxData Read(Stream stream, string source, long maxBytes = DefaultMaxBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Stream input = stream;
        var buffered = new BufferedStream(stream, 1 << 16);
        Span<byte> sniff = stackalloc byte[2];
        int got = ReadFully(buffered, sniff);
        if (got == 2 && sniff[0] == 0x1F && sniff[1] == 0x8B)
        {
            // Re-open from the start through a gzip decoder.
            if (!stream.CanSeek) throw new InvalidDataException($"{source}: gzipped IDX needs a seekable stream.");
            stream.Position = 0;
            input = new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true);
            got = 0;
        }
        else
        {
            input = buffered;
        }

        try
        {
            Span<byte> header = stackalloc byte[4];
            sniff[..got].CopyTo(header);
            if (got + ReadFully(input, header[got..]) != 4) throw Bad(source, "file is shorter than the 4-byte IDX magic");
            if (header[0] != 0 || header[1] != 0) throw Bad(source, "not an IDX file (the magic must start with two zero bytes)");
            if (header[2] != UnsignedByteType) throw Bad(source, $"IDX data type 0x{header[2]:X2} is not supported (only unsigned bytes, 0x08)");
            int rank = header[3];
            if (rank is < 1 or > 8) throw Bad(source, $"IDX rank {rank} is out of range 1..8");

            var dims = new int[rank];
            Span<byte> dimBytes = stackalloc byte[4 * rank];
            if (ReadFully(input, dimBytes) != dimBytes.Length) throw Bad(source, "file ends inside the dimension list");
            long total = 1;
            for (int i = 0; i < rank; i++)
            {
                int d = BinaryPrimitives.ReadInt32BigEndian(dimBytes.Slice(4 * i, 4));
                if (d < 0) throw Bad(source, $"dimension {i} is negative ({d})");
                dims[i] = d;
                total *= d;
                if (total > maxBytes || total > Array.MaxLength)
                    throw Bad(source, $"declared size {string.Join("x", dims[..(i + 1)])} exceeds the limit of {maxBytes} bytes");
            }

            var data = new byte[total];
            int read = ReadFully(input, data);
            if (read != total) throw Bad(source, $"file is truncated: {read} of {total} data bytes present");
            return new IdxData(dims, data);
        }
        catch (InvalidDataException ex) when (!ex.Message.StartsWith(source, StringComparison.Ordinal))
        {
            throw Bad(source, "corrupt gzip stream: " + ex.Message);
        }
        finally
        {
            if (!ReferenceEquals(input, buffered)) input.Dispose();
        }
    }

    private static int ReadFully(Stream s, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = s.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private static InvalidDataException Bad(string source, string problem) => new($"{source}: {problem}");
}
