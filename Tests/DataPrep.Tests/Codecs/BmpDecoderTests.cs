using System.Buffers.Binary;
using MlPipelines.DataPrep.Codecs;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Tests.Codecs;

[TestClass]
public sealed class BmpDecoderTests
{
    /// <summary>A BITMAPINFOHEADER file: palette entries are (r, g, b).</summary>
    internal static byte[] Bmp(int width, int height, int bpp, int compression, (byte R, byte G, byte B)[] palette, byte[] pixels)
    {
        int offset = 54 + (palette.Length * 4);
        var file = new byte[offset + pixels.Length];
        file[0] = (byte)'B';
        file[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(2), file.Length);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(10), offset);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(28), (short)bpp);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(30), compression);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(46), palette.Length);
        for (int i = 0; i < palette.Length; i++)
        {
            file[54 + (4 * i)] = palette[i].B;
            file[55 + (4 * i)] = palette[i].G;
            file[56 + (4 * i)] = palette[i].R;
        }

        pixels.CopyTo(file, offset);
        return file;
    }

    private static readonly (byte, byte, byte)[] Four = [(0, 0, 0), (10, 20, 30), (40, 50, 60), (70, 80, 90)];

    [TestMethod]
    public void TwoBitPalette_BottomUp()
    {
        // 5x2, rows padded to 4 bytes; the first stored row is the bottom one.
        byte[] rows = [0b00_01_10_11, 0b01_000000, 0, 0, 0b11_11_11_11, 0b00_000000, 0, 0];
        Image image = ImageCodecs.Decode(Bmp(5, 2, 2, 0, Four, rows));
        Assert.AreEqual(3, image.Channels);
        CollectionAssert.AreEqual(new byte[] { 70, 80, 90, 70, 80, 90, 70, 80, 90, 70, 80, 90, 0, 0, 0 }, image.Row(0).ToArray());
        CollectionAssert.AreEqual(new byte[] { 0, 0, 0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 10, 20, 30 }, image.Row(1).ToArray());
    }

    [TestMethod]
    public void Rle8_RunsPastTheRowEnd_AreClipped()
    {
        // 3x2: bottom row = run of 5 x index 1 (clipped to 3), EOL; top row = absolute run [2, 3, 1] (padded), then EOB.
        byte[] rle = [5, 1, 0, 0, 0, 3, 2, 3, 1, 0, 0, 1];
        Image image = ImageCodecs.Decode(Bmp(3, 2, 8, 1, Four, rle));
        CollectionAssert.AreEqual(new byte[] { 40, 50, 60, 70, 80, 90, 10, 20, 30 }, image.Row(0).ToArray());
        CollectionAssert.AreEqual(new byte[] { 10, 20, 30, 10, 20, 30, 10, 20, 30 }, image.Row(1).ToArray());
    }

    [TestMethod]
    public void Rle4_OddAbsoluteRun_AndDelta_UnsetPixelsAreIndexZero()
    {
        // 4x2: bottom row: delta (+1, +0), absolute 3 nibbles [1,2,3] (2 bytes, already even), EOL; top row: run of 4 alternating (3,1), EOB.
        byte[] rle = [0, 2, 1, 0, 0, 3, 0x12, 0x30, 0, 0, 4, 0x31, 0, 1];
        Image image = ImageCodecs.Decode(Bmp(4, 2, 4, 2, Four, rle));
        CollectionAssert.AreEqual(new byte[] { 70, 80, 90, 10, 20, 30, 70, 80, 90, 10, 20, 30 }, image.Row(0).ToArray());
        CollectionAssert.AreEqual(new byte[] { 0, 0, 0, 10, 20, 30, 40, 50, 60, 70, 80, 90 }, image.Row(1).ToArray());
    }

    [TestMethod]
    public void HostileHeadersAndData_Throw()
    {
        Expect("truncated", Bmp(4, 4, 24, 0, [], new byte[40]));
        Expect("RLE data ends", Bmp(3, 2, 8, 1, Four, [3, 1, 0, 0]));
        Expect("runs past the end", Bmp(3, 2, 8, 1, Four, [0, 200, 1, 2]));
        Expect("invalid image size", Bmp(0, 4, 24, 0, [], new byte[64]));
        Expect("invalid image size", Bmp(4, int.MinValue, 24, 0, [], new byte[64]));
        Expect("bits per pixel is invalid", Bmp(4, 4, 7, 0, [], new byte[64]));
        Expect("BI_JPEG", Bmp(4, 4, 24, 4, [], new byte[64]));
        Expect("exceeds the limit", Bmp(100_000, 100_000, 24, 0, [], new byte[64]));
        byte[] badHeader = Bmp(4, 4, 24, 0, [], new byte[64]);
        BinaryPrimitives.WriteInt32LittleEndian(badHeader.AsSpan(14), 41);
        Assert.IsNull(ImageCodecs.DetectFormat(badHeader));
        byte[] badMasks = Bmp(2, 1, 16, 3, [], new byte[16]);
        BinaryPrimitives.WriteUInt32LittleEndian(badMasks.AsSpan(54), 0b1010);
        Expect("not contiguous", badMasks);
    }

    private static void Expect(string problem, byte[] file)
    {
        var e = Assert.ThrowsExactly<ImageFormatException>(() => ImageCodecs.Decode(file, "case.bmp"));
        StringAssert.Contains(e.Problem, problem);
        Assert.AreEqual("case.bmp", e.Source);
    }
}
