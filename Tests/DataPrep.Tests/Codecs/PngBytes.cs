using System.Buffers.Binary;
using System.IO.Compression;
using MlPipelines.DataPrep.Codecs.Png;

namespace MlPipelines.DataPrep.Tests.Codecs;

/// <summary>Builds PNG files chunk by chunk for tests that need exact control (bad chunks, odd streams).</summary>
internal static class PngBytes
{
    public static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    public static byte[] Chunk(string type, ReadOnlySpan<byte> body, bool badCrc = false)
    {
        var chunk = new byte[12 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, body.Length);
        for (int i = 0; i < 4; i++) chunk[4 + i] = (byte)type[i];
        body.CopyTo(chunk.AsSpan(8));
        uint crc = PngCrc32.Compute(chunk.AsSpan(4, 4 + body.Length));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + body.Length), badCrc ? crc ^ 1 : crc);
        return chunk;
    }

    public static byte[] Header(int width, int height, int depth, int colorType, int interlace = 0)
    {
        var body = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(body, width);
        BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(4), height);
        body[8] = (byte)depth;
        body[9] = (byte)colorType;
        body[12] = (byte)interlace;
        return Chunk("IHDR", body);
    }

    public static byte[] Zlib(ReadOnlySpan<byte> raw)
    {
        using var buffer = new MemoryStream();
        using (var z = new ZLibStream(buffer, CompressionLevel.Optimal, leaveOpen: true)) z.Write(raw);
        return buffer.ToArray();
    }

    public static byte[] File(params byte[][] chunks) => [.. Signature, .. chunks.SelectMany(c => c)];

    /// <summary>Recomputes every chunk's CRC (after a test edited the bytes), as far as the chunk lengths allow.</summary>
    public static void FixCrcs(byte[] png)
    {
        int pos = 8;
        while (pos + 12 <= png.Length)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos));
            if (length > png.Length - pos - 12) return;
            uint crc = PngCrc32.Compute(png.AsSpan(pos + 4, 4 + (int)length));
            BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(pos + 8 + (int)length), crc);
            pos += 12 + (int)length;
        }
    }
}
