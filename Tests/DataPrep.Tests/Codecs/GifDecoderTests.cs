using MlPipelines.DataPrep.Codecs;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Tests.Codecs;

[TestClass]
public sealed class GifDecoderTests
{
    /// <summary>A 2x2 GIF with a 4-entry global table and the given LZW data (minimum code size 2).</summary>
    private static byte[] Gif(byte[] lzw, bool table = true, int transparent = -1)
    {
        var bytes = new List<byte>("GIF89a"u8.ToArray()) { 2, 0, 2, 0, (byte)(table ? 0x81 : 0), 0, 0 };
        if (table) bytes.AddRange([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255]);
        if (transparent >= 0) bytes.AddRange([0x21, 0xF9, 4, 1, 0, 0, (byte)transparent, 0]);
        bytes.AddRange([0x2C, 0, 0, 0, 0, 2, 0, 2, 0, 0, 2, (byte)lzw.Length]);
        bytes.AddRange(lzw);
        bytes.AddRange([0, 0x3B]);
        return [.. bytes];
    }

    /// <summary>Packs 3-bit codes least significant bit first.</summary>
    private static byte[] Codes(params int[] codes)
    {
        var bytes = new List<byte>();
        int acc = 0, bits = 0;
        foreach (int c in codes)
        {
            acc |= c << bits;
            bits += 3;
            while (bits >= 8) { bytes.Add((byte)acc); acc >>= 8; bits -= 8; }
        }

        if (bits > 0) bytes.Add((byte)acc);
        return [.. bytes];
    }

    [TestMethod]
    public void Lzw_KwKwK_AndTransparency_ByHand()
    {
        // clear(4), 1, then code 6 = "1,1" (defined by its own use: the KwKwK case), then 2, end(5). Pixels: 1,1,1,2.
        byte[] lzw = Codes(4, 1, 6, 2, 5);
        Image image = ImageCodecs.Decode(Gif(lzw));
        CollectionAssert.AreEqual(new byte[] { 255, 0, 0, 255, 0, 0, 255, 0, 0, 0, 255, 0 }, image.Pixels);
        Image transparent = ImageCodecs.Decode(Gif(lzw, transparent: 2));
        CollectionAssert.AreEqual(new byte[] { 255, 0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255, 0, 255, 0, 0 }, transparent.Pixels);
    }

    [TestMethod]
    public void Hostile_Throws()
    {
        Expect("invalid LZW code 7", Gif(Codes(4, 1, 7, 5)));
        Expect("invalid first LZW code", Gif(Codes(4, 6, 5)));
        Expect("yields 2 of 4 pixels", Gif(Codes(4, 1, 2, 5)));
        Expect("neither a local nor a global colour table", Gif(Codes(4, 1, 6, 2, 5), table: false));
        byte[] good = Gif(Codes(4, 1, 6, 2, 5));
        for (int n = 1; n < good.Length - 2; n++) // up to the block terminator and trailer
            Assert.ThrowsExactly<ImageFormatException>(() => ImageCodecs.Decode(good.AsSpan(0, n), "t.gif"), $"prefix {n}");
    }

    [TestMethod]
    public void DataAfterTheLastPixel_IsIgnored()
    {
        Image image = ImageCodecs.Decode(Gif(Codes(4, 1, 6, 2, 3, 3, 3, 5)));
        Assert.AreEqual(2, image.Height);
    }

    private static void Expect(string problem, byte[] file)
    {
        var e = Assert.ThrowsExactly<ImageFormatException>(() => ImageCodecs.Decode(file, "case.gif"));
        StringAssert.Contains(e.Problem, problem);
        Assert.AreEqual("case.gif", e.Source);
    }
}
