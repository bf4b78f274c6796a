using System.Buffers.Binary;

namespace MlPipelines.DataPrep.Tests.Codecs;

/// <summary>Edits JPEG files at the marker level for tests: finds segments, inserts an APP1 EXIF segment, patches fields.</summary>
internal static class JpegBytes
{
    /// <summary>A committed fixture's bytes (Fixtures/Jpeg).</summary>
    public static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(CodecFixtures.Folder("Jpeg"), name));

    /// <summary>
    /// Offset of the first marker FF <paramref name="code"/> among the marker segments before the first scan's data
    /// (or of the first SOS itself), or -1. Walks the segment lengths, so it never matches bytes inside a segment.
    /// </summary>
    public static int FindMarker(byte[] jpeg, byte code)
    {
        int p = 2;
        while (p + 4 <= jpeg.Length && jpeg[p] == 0xFF)
        {
            byte m = jpeg[p + 1];
            if (m == code) return p;
            if (m == 0xDA) return -1;
            p += 2 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(p + 2));
        }

        return -1;
    }

    /// <summary>Offset where the entropy-coded data of the first scan starts.</summary>
    public static int FirstScanData(byte[] jpeg)
    {
        int sos = FindMarker(jpeg, 0xDA);
        Assert.IsGreaterThan(0, sos, "no SOS");
        return sos + 2 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(sos + 2));
    }

    /// <summary>The file with <paramref name="segment"/> (marker, length and payload) inserted right after SOI.</summary>
    public static byte[] InsertAfterSoi(byte[] jpeg, byte[] segment) => [.. jpeg.AsSpan(0, 2), .. segment, .. jpeg.AsSpan(2)];

    /// <summary>A whole marker segment: FF, <paramref name="code"/>, the 16-bit length, then <paramref name="payload"/>.</summary>
    public static byte[] Segment(byte code, ReadOnlySpan<byte> payload)
    {
        var s = new byte[4 + payload.Length];
        s[0] = 0xFF;
        s[1] = code;
        BinaryPrimitives.WriteUInt16BigEndian(s.AsSpan(2), (ushort)(payload.Length + 2));
        payload.CopyTo(s.AsSpan(4));
        return s;
    }

    /// <summary>
    /// An APP1 EXIF segment whose IFD0 holds <paramref name="filler"/> unrelated entries and then the orientation tag
    /// (0x0112, SHORT, count 1) = <paramref name="orientation"/>, in little- or big-endian TIFF byte order.
    /// </summary>
    public static byte[] ExifApp1(int orientation, bool littleEndian, int filler = 1)
    {
        int entries = filler + 1;
        var tiff = new byte[8 + 2 + (12 * entries) + 4];
        void U16(int at, int v)
        {
            if (littleEndian) BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(at), (ushort)v);
            else BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(at), (ushort)v);
        }

        void U32(int at, int v)
        {
            if (littleEndian) BinaryPrimitives.WriteInt32LittleEndian(tiff.AsSpan(at), v);
            else BinaryPrimitives.WriteInt32BigEndian(tiff.AsSpan(at), v);
        }

        tiff[0] = tiff[1] = (byte)(littleEndian ? 'I' : 'M');
        U16(2, 42);
        U32(4, 8);          // IFD0 right after the header
        U16(8, entries);
        for (int i = 0; i < filler; i++)
        {
            int e = 10 + (12 * i);
            U16(e, 0x010F);  // Make, ASCII, 4 bytes in place ("abc\0")
            U16(e + 2, 2);
            U32(e + 4, 4);
            "abc\0"u8.CopyTo(tiff.AsSpan(e + 8));
        }

        int o = 10 + (12 * filler);
        U16(o, 0x0112);
        U16(o + 2, 3);       // SHORT
        U32(o + 4, 1);
        U16(o + 8, orientation);
        return Segment(0xE1, [.. "Exif\0\0"u8, .. tiff]);
    }
}
