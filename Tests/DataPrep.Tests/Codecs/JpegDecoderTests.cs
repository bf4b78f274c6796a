using System.Buffers.Binary;
using MlPipelines.DataPrep.Codecs;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Tests.Codecs;

/// <summary>
/// JPEG behaviour beyond pixel agreement with djpeg: EXIF orientation, the unsupported coding processes, the pixel
/// limit, truncation (thrown, never padded with zeros), and hand-corrupted markers and tables. Every failure is an
/// <see cref="ImageFormatException"/> naming the source and the problem.
/// </summary>
[TestClass]
public sealed class JpegDecoderTests
{
    private static readonly DecoderOptions NoOrientation = new() { ApplyExifOrientation = false };

    [TestMethod]
    public void Detect_AndSupportedFormats_IncludeJpeg()
    {
        Assert.AreEqual("JPEG", ImageCodecs.DetectFormat(JpegBytes.Fixture("baseline_420.jpg")));
        CollectionAssert.Contains(ImageCodecs.SupportedFormats.ToArray(), "JPEG");
        Assert.IsNull(ImageCodecs.DetectFormat([0xFF, 0xD8]));       // too short to tell
        Assert.IsNull(ImageCodecs.DetectFormat([0xFF, 0xD8, 0x00, 0x00]));
    }

    [TestMethod]
    [DataRow("baseline_420.jpg", true)]
    [DataRow("progressive_422.jpg", false)]
    [DataRow("gray_baseline.jpg", true)]
    public void ExifOrientation_IsApplied_ForEveryValue(string fixture, bool littleEndian)
    {
        byte[] plain = JpegBytes.Fixture(fixture);
        Image upright = ImageCodecs.Decode(plain, fixture);
        Assert.AreNotEqual(upright.Width, upright.Height, "the fixture must not be square, or 90-degree turns go unnoticed");
        for (int orientation = 1; orientation <= 8; orientation++)
        {
            byte[] tagged = JpegBytes.InsertAfterSoi(plain, JpegBytes.ExifApp1(orientation, littleEndian, filler: orientation % 3));
            Image actual = ImageCodecs.Decode(tagged, fixture);
            CodecFixtures.AssertSame(Oriented(upright, orientation), actual, $"{fixture} orientation {orientation}");
            CodecFixtures.AssertSame(upright, ImageCodecs.Decode(tagged, fixture, NoOrientation), $"{fixture} orientation {orientation}, option off");
        }
    }

    [TestMethod]
    public void ExifOrientation_OutOfRangeOrMalformed_IsIgnored()
    {
        byte[] plain = JpegBytes.Fixture("baseline_444.jpg");
        Image upright = ImageCodecs.Decode(plain);
        foreach (int bad in new[] { 0, 9, 0xFFFF })
            CodecFixtures.AssertSame(upright, ImageCodecs.Decode(JpegBytes.InsertAfterSoi(plain, JpegBytes.ExifApp1(bad, true))), $"orientation {bad}");

        byte[] exif = JpegBytes.ExifApp1(6, true);
        exif[10] = (byte)'X'; // byte-order mark "XI": not TIFF
        CodecFixtures.AssertSame(upright, ImageCodecs.Decode(JpegBytes.InsertAfterSoi(plain, exif)), "bad byte order");
        exif = JpegBytes.ExifApp1(6, true);
        BinaryPrimitives.WriteInt32LittleEndian(exif.AsSpan(14), 5000); // IFD0 offset past the segment
        CodecFixtures.AssertSame(upright, ImageCodecs.Decode(JpegBytes.InsertAfterSoi(plain, exif)), "bad IFD offset");
        exif = JpegBytes.ExifApp1(6, false, filler: 3);
        BinaryPrimitives.WriteUInt16BigEndian(exif.AsSpan(18), 3); // the orientation entry (the fourth) is past the count
        CodecFixtures.AssertSame(upright, ImageCodecs.Decode(JpegBytes.InsertAfterSoi(plain, exif)), "entry past the count");
        BinaryPrimitives.WriteUInt16BigEndian(exif.AsSpan(18), 200);   // more entries than the segment holds...
        BinaryPrimitives.WriteUInt16BigEndian(exif.AsSpan(20 + 36), 0x0113); // ...and none is the orientation
        CodecFixtures.AssertSame(upright, ImageCodecs.Decode(JpegBytes.InsertAfterSoi(plain, exif)), "entry count past the segment");
        exif = JpegBytes.ExifApp1(3, true);
        BinaryPrimitives.WriteUInt16LittleEndian(exif.AsSpan(20 + 12 + 2), 4); // orientation typed LONG, not SHORT
        CodecFixtures.AssertSame(upright, ImageCodecs.Decode(JpegBytes.InsertAfterSoi(plain, exif)), "wrong type");
    }

    [TestMethod]
    [DataRow("arithmetic.jpg", "arithmetic coding")]
    [DataRow("arithmetic_progressive.jpg", "arithmetic coding")]
    public void Arithmetic_IsRejected(string file, string problem)
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(CodecFixtures.Folder("Jpeg"), "Unsupported", file));
        var e = Assert.ThrowsExactly<ImageFormatException>(() => ImageCodecs.Decode(bytes, file));
        Assert.AreEqual(file, e.Source);
        StringAssert.Contains(e.Problem, problem);
    }

    [TestMethod]
    [DataRow((byte)0xC3, "lossless")]
    [DataRow((byte)0xC5, "hierarchical")]
    [DataRow((byte)0xC9, "arithmetic coding")]
    [DataRow((byte)0xCA, "arithmetic coding")]
    public void OtherFrameTypes_AreRejected(byte sof, string problem)
    {
        byte[] bytes = JpegBytes.Fixture("baseline_420.jpg");
        bytes[JpegBytes.FindMarker(bytes, 0xC0) + 1] = sof;
        var e = Assert.ThrowsExactly<ImageFormatException>(() => ImageCodecs.Decode(bytes, "x.jpg"));
        StringAssert.Contains(e.Problem, problem);
        StringAssert.Contains(e.Message, "x.jpg");
    }

    [TestMethod]
    [DataRow("baseline_420.jpg", (byte)0xC0)]
    [DataRow("progressive_420.jpg", (byte)0xC2)]
    public void TwelveBitPrecision_IsRejected(string fixture, byte sof)
    {
        byte[] bytes = JpegBytes.Fixture(fixture);
        bytes[JpegBytes.FindMarker(bytes, sof) + 4] = 12;
        var e = Assert.ThrowsExactly<ImageFormatException>(() => ImageCodecs.Decode(bytes));
        StringAssert.Contains(e.Problem, "12-bit");
    }

    [TestMethod]
    public void PixelLimit_IsCheckedBeforeDecoding()
    {
        byte[] bytes = JpegBytes.Fixture("baseline_420.jpg"); // 37x29 = 1073 pixels
        Assert.AreEqual(37 * 29, ImageCodecs.Decode(bytes, "ok", new DecoderOptions { MaxPixels = 37 * 29 }).Pixels.Length / 3);
        var e = Assert.ThrowsExactly<ImageFormatException>(() => ImageCodecs.Decode(bytes, "small", new DecoderOptions { MaxPixels = (37 * 29) - 1 }));
        StringAssert.Contains(e.Problem, "MaxPixels");

        // A frame header claiming 65535 x 65535 (4.3 gigapixels) fails at the header under the default limit.
        int sof = JpegBytes.FindMarker(bytes, 0xC0);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(sof + 5), 65535);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(sof + 7), 65535);
        e = Assert.ThrowsExactly<ImageFormatException>(() => ImageCodecs.Decode(bytes, "huge"));
        StringAssert.Contains(e.Problem, "65535x65535");
    }

    /// <summary>
    /// The truncation policy: unlike libjpeg, which warns and pads with zeros, a file that ends inside entropy-coded
    /// data throws; one that lacks only the EOI marker decodes to the same pixels as the whole file.
    /// </summary>
    [TestMethod]
    [DataRow("baseline_420.jpg")]
    [DataRow("progressive_420.jpg")]
    [DataRow("restart_rows_420.jpg")]
    [DataRow("gray_progressive.jpg")]
    [DataRow("cmyk_444.jpg")]
    public void EveryTruncation_Throws_ButAMissingEoiIsTolerated(string fixture)
    {
        byte[] bytes = JpegBytes.Fixture(fixture);
        Assert.IsTrue(bytes[^2] == 0xFF && bytes[^1] == 0xD9, "fixture ends with EOI");
        Image whole = ImageCodecs.Decode(bytes, fixture);
        CodecFixtures.AssertSame(whole, ImageCodecs.Decode(bytes.AsSpan(0, bytes.Length - 2), fixture), "without EOI");
        CodecFixtures.AssertSame(whole, ImageCodecs.Decode(bytes.AsSpan(0, bytes.Length - 1), fixture), "half an EOI");
        for (int n = 3; n < bytes.Length - 2; n++)
        {
            var e = Assert.ThrowsExactly<ImageFormatException>(() => ImageCodecs.Decode(bytes.AsSpan(0, n), fixture), $"prefix {n}");
            Assert.AreEqual(fixture, e.Source);
            StringAssert.Contains(e.Problem, "truncated", $"prefix {n}");
        }
    }

    [TestMethod]
    public void CorruptStructure_IsNamed()
    {
        byte[] good = JpegBytes.Fixture("baseline_420.jpg");
        Expect([0xFF, 0xD8, 0xFF, 0xD9], "no frame header");
        Expect([0xFF, 0xD8, 0xFF], "truncated");
        Expect([.. good.AsSpan(0, 2), 0xFF, 0xD8, .. good.AsSpan(2)], "second SOI");

        int sos = JpegBytes.FindMarker(good, 0xDA);
        int sof = JpegBytes.FindMarker(good, 0xC0);
        byte[] b = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(sof + 2), 60000); // a segment longer than the file
        Expect(b, "claims 60000 bytes");

        b = (byte[])good.Clone();
        b[sos + 5] = 0x77; // the scan's first component id is not in the frame
        Expect(b, "component id 119 is not in the frame");

        b = (byte[])good.Clone();
        b[sos + 6] = 0x33; // DC table 3 / AC table 3: never defined
        Expect(b, "Huffman table 3 is not defined");

        b = (byte[])good.Clone();
        b[sof + 11] = 0; // component 1 sampling factors 0x0
        Expect(b, "sampling factors 0x0");

        b = (byte[])good.Clone();
        b[sof + 12] = 3; // quantisation table 3 is never defined
        Expect(b, "quantization table 3");

        // The frame header moved after the scan: SOS before SOF.
        int sofLength = 2 + BinaryPrimitives.ReadUInt16BigEndian(good.AsSpan(sof + 2));
        byte[] withoutSof = [.. good.AsSpan(0, sof), .. good.AsSpan(sof + sofLength)];
        Expect(withoutSof, "SOS before the frame header");
    }

    [TestMethod]
    public void BogusHuffmanTables_AreRejected()
    {
        byte[] good = JpegBytes.Fixture("baseline_444.jpg");
        int dht = JpegBytes.FindMarker(good, 0xC4);
        Assert.IsGreaterThan(0, dht);

        byte[] b = (byte[])good.Clone();
        Assert.AreEqual((0x00, 0, 1), (b[dht + 4], b[dht + 5], b[dht + 6]), "libjpeg's standard DC table: one 2-bit code, then five 3-bit");
        b[dht + 5] = 1; // one 1-bit code instead of the 2-bit one: the five 3-bit codes then overflow the code space
        b[dht + 6] = 0;
        Expect(b, "overflow the code space");

        // A DC table whose symbol claims 16 magnitude bits.
        byte[] table = [0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16];
        Expect(JpegBytes.InsertAfterSoi(good, JpegBytes.Segment(0xC4, table)), "DC symbol 16 exceeds 15");

        // Class 2 does not exist.
        Expect(JpegBytes.InsertAfterSoi(good, JpegBytes.Segment(0xC4, [0x20, .. table.AsSpan(1)])), "class 2");

        // The counts promise more symbols than the segment holds.
        Expect(JpegBytes.InsertAfterSoi(good, JpegBytes.Segment(0xC4, [0x01, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])), "symbols cut short");
    }

    [TestMethod]
    public void EntropyDataThatMatchesNoCode_IsCorruptData()
    {
        // A DC table with only the codes 0 and 10 (lengths 1 and 2): every code starting 11 is undefined. Replace both
        // DC tables with it and the scan data (all ones) must fail with a bad-code error, not run off the end.
        byte[] good = JpegBytes.Fixture("gray_baseline.jpg");
        int data = JpegBytes.FirstScanData(good);
        byte[] b = (byte[])good.Clone();
        for (int i = data; i < data + 8; i++) b[i] = 0xFE;
        byte[] table = [0x00, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        int sos = JpegBytes.FindMarker(b, 0xDA);
        b = [.. b.AsSpan(0, sos), .. JpegBytes.Segment(0xC4, table), .. b.AsSpan(sos)];
        Expect(b, "bad Huffman code");
    }

    [TestMethod]
    public void GarbageBetweenSegments_IsSkippedAsLibjpegDoes()
    {
        // libjpeg skips stray bytes before a marker (with a warning); so do we: the pixels are unchanged.
        byte[] good = JpegBytes.Fixture("baseline_422.jpg");
        int sof = JpegBytes.FindMarker(good, 0xC0);
        byte[] padded = [.. good.AsSpan(0, sof), 0x12, 0x34, 0xFF, 0xFF, .. good.AsSpan(sof)];
        CodecFixtures.AssertSame(ImageCodecs.Decode(good), ImageCodecs.Decode(padded), "stray bytes and fill bytes");
    }

    [TestMethod]
    [DataRow("baseline_420.jpg", (byte)0xE0)] // JFIF removed: component ids 1, 2, 3 still mean YCbCr
    [DataRow("rgb_adobe.jpg", (byte)0xEE)]    // Adobe removed: component ids 'R', 'G', 'B' still mean RGB
    public void ColourSpace_WithoutJfifOrAdobe_FollowsTheComponentIds(string fixture, byte marker)
    {
        byte[] bytes = JpegBytes.Fixture(fixture);
        int at = JpegBytes.FindMarker(bytes, marker);
        Assert.IsGreaterThan(0, at, $"{fixture} has no FF{marker:X2}");
        byte[] stripped = [.. bytes.AsSpan(0, at), .. bytes.AsSpan(at + 2 + BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(at + 2)))];
        Assert.AreEqual(-1, JpegBytes.FindMarker(stripped, marker));
        CodecFixtures.AssertSame(ImageCodecs.Decode(bytes), ImageCodecs.Decode(stripped), fixture);
    }

    [TestMethod]
    public void AdobeTransform_ChoosesBetweenRgbAndYCbCr()
    {
        // The same three planes read as RGB (transform 0) and as YCbCr (transform 1) must differ, and the YCbCr reading
        // must be the JFIF conversion of the RGB reading's samples.
        byte[] rgb = JpegBytes.Fixture("rgb_adobe.jpg");
        int app14 = JpegBytes.FindMarker(rgb, 0xEE);
        Assert.AreEqual(0, rgb[app14 + 4 + 11], "cjpeg -rgb writes transform 0");
        byte[] ycc = (byte[])rgb.Clone();
        ycc[app14 + 4 + 11] = 1;
        Image planes = ImageCodecs.Decode(rgb), converted = ImageCodecs.Decode(ycc);
        for (int i = 0; i < planes.Pixels.Length; i += 3)
        {
            int y = planes.Pixels[i], cb = planes.Pixels[i + 1] - 128, cr = planes.Pixels[i + 2] - 128;
            Assert.IsLessThanOrEqualTo(1, Math.Abs(Math.Clamp((int)Math.Round(y + (1.402 * cr)), 0, 255) - converted.Pixels[i]), $"R of pixel {i / 3}");
            Assert.IsLessThanOrEqualTo(1, Math.Abs(Math.Clamp((int)Math.Round(y + (1.772 * cb)), 0, 255) - converted.Pixels[i + 2]), $"B of pixel {i / 3}");
        }
    }

    [TestMethod]
    public void ConcurrentDecodes_AgreeWithSerialOnes()
    {
        // The decoder and its kernels keep no shared mutable state (pooled buffers are per decode).
        string[] names = [.. FixtureDecodeTests.JpegCases.Select(c => (string)c[0])];
        byte[][] files = [.. names.Select(JpegBytes.Fixture)];
        Image[] serial = [.. files.Select(f => ImageCodecs.Decode(f))];
        var parallel = new Image[files.Length * 4];
        Parallel.For(0, parallel.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = ImageCodecs.Decode(files[i % files.Length]));
        for (int i = 0; i < parallel.Length; i++)
            CodecFixtures.AssertSame(serial[i % files.Length], parallel[i], names[i % files.Length]);
    }

    private static void Expect(byte[] bytes, string problem)
    {
        var e = Assert.ThrowsExactly<ImageFormatException>(() => ImageCodecs.Decode(bytes, "bad.jpg"), problem);
        Assert.AreEqual("bad.jpg", e.Source);
        StringAssert.Contains(e.Problem, problem);
    }

    /// <summary>The definition of EXIF orientations as the pixel each output position shows, independent of the decoder's tables.</summary>
    private static Image Oriented(Image s, int orientation)
    {
        int w = s.Width, h = s.Height, ch = s.Channels;
        bool swap = orientation >= 5;
        var o = new Image(swap ? h : w, swap ? w : h, ch);
        for (int y = 0; y < o.Height; y++)
            for (int x = 0; x < o.Width; x++)
            {
                (int sx, int sy) = orientation switch
                {
                    1 => (x, y),
                    2 => (w - 1 - x, y),            // mirrored left-right
                    3 => (w - 1 - x, h - 1 - y),    // upside down
                    4 => (x, h - 1 - y),            // mirrored top-bottom
                    5 => (y, x),                    // transposed
                    6 => (y, h - 1 - x),            // stored turned 90 degrees counter-clockwise: turn clockwise
                    7 => (w - 1 - y, h - 1 - x),    // transversed
                    _ => (w - 1 - y, x),            // stored turned clockwise: turn counter-clockwise
                };
                s.Pixels.AsSpan(((sy * w) + sx) * ch, ch).CopyTo(o.Pixels.AsSpan(((y * o.Width) + x) * ch, ch));
            }

        return o;
    }
}
