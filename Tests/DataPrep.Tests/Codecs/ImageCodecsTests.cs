using MlPipelines.DataPrep.Codecs;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.Testing;

namespace MlPipelines.DataPrep.Tests.Codecs;

[TestClass]
public sealed class ImageCodecsTests
{
    [TestMethod]
    public void DetectFormat_ByMagicBytes()
    {
        Assert.AreEqual("PNG", ImageCodecs.DetectFormat(ImageCodecs.EncodePng(new Image(1, 1, 1))));
        Assert.AreEqual("PNM", ImageCodecs.DetectFormat("P6\n1 1 255\n"u8));
        Assert.AreEqual("PNM", ImageCodecs.DetectFormat("P7\nWIDTH"u8));
        Assert.AreEqual("GIF", ImageCodecs.DetectFormat("GIF87a\0\0"u8));
        Assert.IsNull(ImageCodecs.DetectFormat("GIF88a\0\0"u8));
        Assert.IsNull(ImageCodecs.DetectFormat("P9\n"u8));
        Assert.IsNull(ImageCodecs.DetectFormat([]));
        CollectionAssert.IsSubsetOf(new[] { "PNG", "BMP", "GIF", "PNM" }, ImageCodecs.SupportedFormats.ToArray());
    }

    [TestMethod]
    public void EmptyAndUnknownData_Throw_NamingTheSource()
    {
        var empty = Assert.ThrowsExactly<ImageFormatException>(() => ImageCodecs.Decode([], "empty.png"));
        Assert.AreEqual("empty.png", empty.Source);
        StringAssert.Contains(empty.Problem, "empty");
        var unknown = Assert.ThrowsExactly<ImageFormatException>(() => ImageCodecs.Decode("<html>hello"u8, "page.jpg"));
        StringAssert.Contains(unknown.Problem, "unrecognised image format (first bytes 3C68746D6C3E6865)");
    }

    [TestMethod]
    [DataRow("Png", "rgb8.png")]
    [DataRow("Bmp", "pal4.bmp")]
    [DataRow("Bmp", "rle8.bmp")]
    [DataRow("Gif", "interlaced.gif")]
    [DataRow("Pnm", "rgb.ppm")]
    [DataRow("Pnm", "bits_plain.pbm")]
    [DataRow("Pnm", "graya.pam")]
    public void EveryTruncation_IsReportedByTheFormatsDecoder(string folder, string file)
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(CodecFixtures.Folder(folder), file));
        // Every prefix but the one missing only the last byte (a GIF trailer or a plain PNM's final newline is not needed).
        for (int n = 4; n < bytes.Length - 1; n++)
        {
            var e = Assert.ThrowsExactly<ImageFormatException>(() => ImageCodecs.Decode(bytes.AsSpan(0, n), file), $"{file}: prefix {n}");
            Assert.IsFalse(e.Problem.StartsWith("unrecognised", StringComparison.Ordinal), $"{file}: prefix {n}: {e.Problem}");
        }
    }

    [TestMethod]
    public void DecodeFile_NamesThePath_AndMissingFilesAreIOErrors()
    {
        string folder = TestPaths.NewTempFolder("codecs");
        try
        {
            string path = Path.Combine(folder, "broken.png");
            byte[] png = ImageCodecs.EncodePng(CodecFixtures.Synthetic(4, 4, 3, 1));
            File.WriteAllBytes(path, png[..^20]);
            var e = Assert.ThrowsExactly<ImageFormatException>(() => ImageCodecs.DecodeFile(path));
            Assert.AreEqual(path, e.Source);
            StringAssert.StartsWith(e.Message, path + ": ");
            Assert.ThrowsExactly<FileNotFoundException>(() => ImageCodecs.DecodeFile(Path.Combine(folder, "missing.png")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void Decode_FromANonSeekableStream()
    {
        Image image = CodecFixtures.Synthetic(7, 5, 4, 3);
        using var stream = new NonSeekable(ImageCodecs.EncodePng(image));
        CodecFixtures.AssertSame(image, ImageCodecs.Decode(stream, "pipe"), "stream");
    }

    [TestMethod]
    public void Pnm_RoundTrips_ForEveryChannelCount()
    {
        foreach (int channels in new[] { 1, 3, 4 })
        {
            Image image = CodecFixtures.Synthetic(9, 4, channels, channels);
            byte[] pnm = ImageCodecs.EncodePnm(image);
            Assert.AreEqual(channels switch { 1 => (byte)'5', 3 => (byte)'6', _ => (byte)'7' }, pnm[1]);
            CodecFixtures.AssertSame(image, ImageCodecs.Decode(pnm), $"{channels} channels");
        }
    }

    [TestMethod]
    public void Save_ChoosesTheFormatByExtension_AndReplacesFilesAtomically()
    {
        string folder = TestPaths.NewTempFolder("codecs-save");
        try
        {
            Image first = CodecFixtures.Synthetic(6, 6, 3, 1), second = CodecFixtures.Synthetic(8, 3, 3, 2);
            foreach (string name in new[] { "a.png", "a.PPM", "a.pnm", "b.pam", "c.pgm" })
            {
                string path = Path.Combine(folder, name);
                ImageCodecs.Save(first, path);
                CodecFixtures.AssertSame(first, ImageCodecs.DecodeFile(path), name);
                ImageCodecs.Save(second, path); // overwrite
                CodecFixtures.AssertSame(second, ImageCodecs.DecodeFile(path), name + " (replaced)");
            }

            Assert.AreEqual("PNG", ImageCodecs.DetectFormat(File.ReadAllBytes(Path.Combine(folder, "a.png"))));
            Assert.AreEqual(5, Directory.GetFiles(folder).Length, "no temporary files are left behind");
            Assert.ThrowsExactly<ArgumentException>(() => ImageCodecs.Save(first, Path.Combine(folder, "x.jpg")));
            Assert.ThrowsExactly<DirectoryNotFoundException>(() => ImageCodecs.SavePng(first, Path.Combine(folder, "nope", "x.png")));
            Assert.AreEqual(5, Directory.GetFiles(folder).Length);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class NonSeekable(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }
    }
}
