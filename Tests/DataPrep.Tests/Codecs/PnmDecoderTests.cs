using System.Text;
using MlPipelines.DataPrep.Codecs;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Tests.Codecs;

[TestClass]
public sealed class PnmDecoderTests
{
    [TestMethod]
    [DataRow("P1\n3 1\n101", new byte[] { 0, 255, 0 })]
    [DataRow("P1 3 1 1 0 # a comment\n 1", new byte[] { 0, 255, 0 })]
    [DataRow("P2\n2 1 3\n0 3\n", new byte[] { 0, 255 })]
    [DataRow("P2 3 1 1000 0 500 1000", new byte[] { 0, 128, 255 })] // (500 x 255 + 500) / 1000 = 128
    [DataRow("P3 1 1 15 15 0 7", new byte[] { 255, 0, 119 })]       // (7 x 255 + 7) / 15 = 119
    public void PlainFormats_ByHand(string text, byte[] expected) =>
        CollectionAssert.AreEqual(expected, ImageCodecs.Decode(Encoding.ASCII.GetBytes(text)).Pixels);

    [TestMethod]
    public void RawBitmap_RowsArePaddedToBytes()
    {
        byte[] file = [.. "P4\n9 2\n"u8, 0b10000000, 0b10000000, 0b01111111, 0b00000000];
        CollectionAssert.AreEqual(new byte[] { 0, 255, 255, 255, 255, 255, 255, 255, 0, 255, 0, 0, 0, 0, 0, 0, 0, 255 },
            ImageCodecs.Decode(file).Pixels);
    }

    [TestMethod]
    public void SixteenBitSamples_AreBigEndian_AndRounded()
    {
        byte[] file = [.. "P5 2 1 65535\n"u8, 0x80, 0x80, 0x80, 0x7F];
        // 0x8080 = 32896 -> (32896 x 255 + 32767) / 65535 = 128; 0x807F = 32895 -> 128 as well (127.998...).
        CollectionAssert.AreEqual(new byte[] { 128, 128 }, ImageCodecs.Decode(file).Pixels);
    }

    [TestMethod]
    public void Hostile_Throws()
    {
        Expect("exceeds maxval", "P2 2 1 3 0 4");
        Expect("exceeds maxval", [.. "P5 1 1 200\n"u8, 201]);
        Expect("maxval 0", "P2 1 1 0 0");
        Expect("maxval 70000", "P2 1 1 70000 0");
        Expect("invalid image size", "P2 0 1 255 0");
        Expect("too large", "P2 99999999999 1 255 0");
        Expect("truncated", [.. "P6 4 4 255\n"u8, 1, 2, 3]);
        Expect("truncated", "P3 2 2 255 1 2 3");
        Expect("exceeds the limit", "P6 100000 100000 255\n");
        Expect("invalid PBM pixel", "P1 2 1 0 2");
        Expect("PAM depth 5", "P7\nWIDTH 1\nHEIGHT 1\nDEPTH 5\nMAXVAL 255\nENDHDR\n\0\0\0\0\0");
        Expect("no ENDHDR", "P7\nWIDTH 1\nHEIGHT 1\nDEPTH 1\nMAXVAL 255\n");
        Expect("unknown PAM header keyword", "P7\nWIDTH 1\nFOO 3\nENDHDR\n");
    }

    private static void Expect(string problem, string file) => Expect(problem, Encoding.ASCII.GetBytes(file));

    private static void Expect(string problem, byte[] file)
    {
        var e = Assert.ThrowsExactly<ImageFormatException>(() => ImageCodecs.Decode(file, "case.pnm"));
        StringAssert.Contains(e.Problem, problem);
        Assert.AreEqual("case.pnm", e.Source);
    }
}
