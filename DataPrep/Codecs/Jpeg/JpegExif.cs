using System.Buffers.Binary;

namespace MlPipelines.DataPrep.Codecs.Jpeg;

/// <summary>Reads the orientation tag (0x0112) from the TIFF structure of an APP1 "Exif" segment (EXIF 2.3, TIFF 6.0).</summary>
internal static class JpegExif
{
    private const int OrientationTag = 0x0112;
    private const int TypeShort = 3;

    /// <summary>
    /// The orientation (1..8) stored in IFD0 of <paramref name="app1"/> (the segment payload, starting "Exif\0\0"),
    /// or 1 when the segment is not EXIF, lacks the tag, or is malformed (EXIF errors never fail a decode).
    /// </summary>
    public static int ReadOrientation(ReadOnlySpan<byte> app1)
    {
        if (app1.Length < 6 || !app1[..6].SequenceEqual("Exif\0\0"u8)) return 1;
        ReadOnlySpan<byte> tiff = app1[6..];
        if (tiff.Length < 8) return 1;
        bool little;
        if (tiff[0] == (byte)'I' && tiff[1] == (byte)'I') little = true;
        else if (tiff[0] == (byte)'M' && tiff[1] == (byte)'M') little = false;
        else return 1;
        if (U16(tiff, 2, little) != 42) return 1;

        long ifd = U32(tiff, 4, little);
        if (ifd < 8 || ifd > tiff.Length - 2) return 1;
        int count = U16(tiff, (int)ifd, little);
        for (int i = 0; i < count; i++)
        {
            long entry = ifd + 2 + (12L * i);
            if (entry + 12 > tiff.Length) return 1;
            int at = (int)entry;
            if (U16(tiff, at, little) != OrientationTag) continue;
            if (U16(tiff, at + 2, little) != TypeShort || U32(tiff, at + 4, little) < 1) return 1;
            int value = U16(tiff, at + 8, little); // a single SHORT sits left-justified in the value field
            return value is >= 1 and <= 8 ? value : 1;
        }

        return 1;
    }

    private static int U16(ReadOnlySpan<byte> s, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(s.Slice(at, 2)) : BinaryPrimitives.ReadUInt16BigEndian(s.Slice(at, 2));

    private static long U32(ReadOnlySpan<byte> s, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(s.Slice(at, 4)) : BinaryPrimitives.ReadUInt32BigEndian(s.Slice(at, 4));
}
