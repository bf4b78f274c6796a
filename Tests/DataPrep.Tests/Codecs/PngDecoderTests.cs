using System.Buffers.Binary;
using MlPipelines.DataPrep.Codecs;
using MlPipelines.DataPrep.Codecs.Png;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Tests.Codecs;

[TestClass]
public sealed class PngDecoderTests
{
    [TestMethod]
    public void SixteenBitSamples_KeepTheHighByte_AndTheKeyIsComparedAtFullDepth()
    {
        // 3x1 gray 16-bit: 0x12FF (high byte 0x12, not rounded to 0x13), 0xABCD (the key: transparent), 0xABCC (opaque).
        byte[] raw = [0, 0x12, 0xFF, 0xAB, 0xCD, 0xAB, 0xCC];
        byte[] png = PngBytes.File(PngBytes.Header(3, 1, 16, 0), PngBytes.Chunk("tRNS", [0xAB, 0xCD]),
            PngBytes.Chunk("IDAT", PngBytes.Zlib(raw)), PngBytes.Chunk("IEND", []));
        Image image = ImageCodecs.Decode(png);
        CollectionAssert.AreEqual(new byte[] { 0x12, 0x12, 0x12, 255, 0xAB, 0xAB, 0xAB, 0, 0xAB, 0xAB, 0xAB, 255 }, image.Pixels);
    }

    [TestMethod]
    public void LowBitGray_IsScaledByBitReplication()
    {
        // 4x1 gray 2-bit: samples 0,1,2,3 packed in one byte -> 0, 85, 170, 255.
        byte[] png = PngBytes.File(PngBytes.Header(4, 1, 2, 0), PngBytes.Chunk("IDAT", PngBytes.Zlib([0, 0b00_01_10_11])), PngBytes.Chunk("IEND", []));
        CollectionAssert.AreEqual(new byte[] { 0, 85, 170, 255 }, ImageCodecs.Decode(png).Pixels);
    }

    [TestMethod]
    public void BadCrc_InAnyChunk_Throws()
    {
        byte[] good = ImageCodecs.EncodePng(CodecFixtures.Synthetic(9, 7, 3, 1));
        int pos = 8;
        while (pos < good.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(good.AsSpan(pos));
            string type = System.Text.Encoding.ASCII.GetString(good, pos + 4, 4);
            byte[] bad = (byte[])good.Clone();
            bad[pos + 8 + length + 3] ^= 0x40; // the stored CRC
            var e = Assert.ThrowsExactly<ImageFormatException>(() => ImageCodecs.Decode(bad, "crc.png"));
            StringAssert.Contains(e.Problem, "CRC mismatch");
            StringAssert.Contains(e.Problem, type);
            Assert.AreEqual("crc.png", e.Source);
            pos += 12 + length;
        }
    }

    [TestMethod]
    public void UnknownCriticalChunk_Throws_UnknownAncillaryChunk_IsSkipped()
    {
        byte[] idat = PngBytes.Chunk("IDAT", PngBytes.Zlib([0, 7]));
        byte[] critical = PngBytes.File(PngBytes.Header(1, 1, 8, 0), PngBytes.Chunk("XYZW", [1, 2]), idat, PngBytes.Chunk("IEND", []));
        var e = Assert.ThrowsExactly<ImageFormatException>(() => ImageCodecs.Decode(critical, "c.png"));
        StringAssert.Contains(e.Problem, "unknown critical chunk 'XYZW'");
        byte[] ancillary = PngBytes.File(PngBytes.Header(1, 1, 8, 0), PngBytes.Chunk("xyZW", [1, 2]), idat, PngBytes.Chunk("IEND", []));
        CollectionAssert.AreEqual(new byte[] { 7 }, ImageCodecs.Decode(ancillary).Pixels);
    }

    [TestMethod]
    public void EveryTruncation_Throws()
    {
        byte[] good = ImageCodecs.EncodePng(CodecFixtures.Synthetic(11, 5, 4, 2));
        for (int n = 0; n < good.Length; n++)
        {
            var e = Assert.ThrowsExactly<ImageFormatException>(() => ImageCodecs.Decode(good.AsSpan(0, n), "t.png"), $"prefix {n}");
            Assert.AreEqual("t.png", e.Source);
        }
    }

    [TestMethod]
    public void StructuralErrors_Throw_WithTheProblemNamed()
    {
        byte[] iend = PngBytes.Chunk("IEND", []);
        byte[] idat = PngBytes.Chunk("IDAT", PngBytes.Zlib([0, 7]));
        byte[] badSignature = [.. PngBytes.Signature[..7], 0, .. PngBytes.Header(1, 1, 8, 0)];
        var e = Assert.ThrowsExactly<ImageFormatException>(() => new PngDecoder().Decode(badSignature, "sig.png", DecoderOptions.Default));
        StringAssert.Contains(e.Problem, "not a PNG file");
        Expect("the first chunk is 'IDAT'", PngBytes.File(idat, iend));
        Expect("invalid colour type 2 with bit depth 4", PngBytes.File(PngBytes.Header(1, 1, 4, 2), idat, iend));
        Expect("invalid image size", PngBytes.File(PngBytes.Header(0, 1, 8, 0), idat, iend));
        Expect("no image data", PngBytes.File(PngBytes.Header(1, 1, 8, 0), iend));
        Expect("palette image without a PLTE", PngBytes.File(PngBytes.Header(1, 1, 8, 3), idat, iend));
        Expect("does not follow the other IDAT", PngBytes.File(PngBytes.Header(1, 1, 8, 0), idat, PngBytes.Chunk("tEXt", [65, 0, 66]), idat, iend));
        Expect("invalid filter type 9", PngBytes.File(PngBytes.Header(1, 1, 8, 0), PngBytes.Chunk("IDAT", PngBytes.Zlib([9, 7])), iend));
        Expect("corrupt zlib", PngBytes.File(PngBytes.Header(1, 1, 8, 0), PngBytes.Chunk("IDAT", [0x78, 0x9C, 0xFF, 0xFF, 0xFF, 0xFF]), iend));
        Expect("inflates to 2 bytes, 3 expected", PngBytes.File(PngBytes.Header(2, 1, 8, 0), idat, iend));
        Expect("invalid chunk type bytes", PngBytes.File(PngBytes.Header(1, 1, 8, 0), PngBytes.Chunk("ID1T", [1]), idat, iend));

        byte[] huge = PngBytes.File(PngBytes.Header(1, 1, 8, 0), idat, iend);
        BinaryPrimitives.WriteUInt32BigEndian(huge.AsSpan(8 + 25), 0x7FFFFFF0); // IDAT length
        Expect("declares 2147483632 bytes", huge);
        BinaryPrimitives.WriteUInt32BigEndian(huge.AsSpan(8 + 25), 0xFFFFFFFF);
        Expect("over the 2^31-1 limit", huge);
    }

    [TestMethod]
    public void AbsurdDimensions_AreRejectedBeforeAllocating()
    {
        byte[] idat = PngBytes.Chunk("IDAT", PngBytes.Zlib(new byte[100]));
        byte[] iend = PngBytes.Chunk("IEND", []);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Expect("exceeds the limit of 100000000", PngBytes.File(PngBytes.Header(100_000, 100_000, 8, 6), idat, iend));
        // Under the pixel limit, but 100 bytes of deflate cannot hold 75 MB: rejected before the 75 MB buffers exist.
        Expect("cannot hold", PngBytes.File(PngBytes.Header(5000, 5000, 8, 2), idat, iend));
        Assert.IsLessThan(4L << 20, GC.GetAllocatedBytesForCurrentThread() - before);

        byte[] small = PngBytes.File(PngBytes.Header(10, 10, 8, 0), PngBytes.Chunk("IDAT", PngBytes.Zlib(new byte[110])), iend);
        var limit = new DecoderOptions { MaxPixels = 99 };
        Assert.ThrowsExactly<ImageFormatException>(() => ImageCodecs.Decode(small, "s.png", limit));
        Assert.AreEqual(10, ImageCodecs.Decode(small, "s.png", limit with { MaxPixels = 100 }).Width);
    }

    [TestMethod]
    public void ZlibBomb_OnlyTheBytesTheImageNeedsAreInflated()
    {
        // An 8x8 gray image whose zlib stream would inflate to 64 MB of zeros.
        byte[] bomb;
        using (var buffer = new MemoryStream())
        {
            using (var z = new System.IO.Compression.ZLibStream(buffer, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
            {
                var zeros = new byte[1 << 20];
                for (int i = 0; i < 64; i++) z.Write(zeros);
            }

            bomb = buffer.ToArray();
        }

        byte[] png = PngBytes.File(PngBytes.Header(8, 8, 8, 0), PngBytes.Chunk("IDAT", bomb), PngBytes.Chunk("IEND", []));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Image image = ImageCodecs.Decode(png);
        Assert.IsLessThan(2.0, watch.Elapsed.TotalSeconds);
        Assert.IsLessThan(4L << 20, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.IsTrue(image.Pixels.All(p => p == 0));
    }

    [TestMethod]
    public void PaletteIndexPastThePalette_IsOpaqueBlack_AsLibpng()
    {
        byte[] png = PngBytes.File(PngBytes.Header(2, 1, 8, 3), PngBytes.Chunk("PLTE", [10, 20, 30]),
            PngBytes.Chunk("IDAT", PngBytes.Zlib([0, 0, 5])), PngBytes.Chunk("IEND", []));
        CollectionAssert.AreEqual(new byte[] { 10, 20, 30, 0, 0, 0 }, ImageCodecs.Decode(png).Pixels);
    }

    private static void Expect(string problem, byte[] file)
    {
        var e = Assert.ThrowsExactly<ImageFormatException>(() => ImageCodecs.Decode(file, "case.png"));
        StringAssert.Contains(e.Problem, problem);
        StringAssert.StartsWith(e.Message, "case.png: ");
    }
}
