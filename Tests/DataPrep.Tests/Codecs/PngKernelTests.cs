using System.Runtime.Intrinsics;
using MlPipelines.DataPrep.Codecs.Png;

namespace MlPipelines.DataPrep.Tests.Codecs;

/// <summary>
/// The PNG kernels against plain twins: unfilters (specialised Paeth, SIMD Up) against a transcription of the
/// specification, the CRC (carry-less-multiply folding and slicing tables) against the bit-at-a-time CRC.
/// </summary>
[TestClass]
[TestCategory("Kernels")]
public sealed class PngKernelTests
{
    [TestMethod]
    public void Crc32_IsTheStandardCheckValue_AndBothPathsMatchTheBitwiseTwin()
    {
        Assert.AreEqual(0xCBF43926u, PngCrc32.Compute("123456789"u8)); // the published CRC-32 check value
        Assert.AreEqual(0u, PngCrc32.Compute([]));
        var rng = new Random(5);
        var lengths = Enumerable.Range(0, 300).Concat([511, 512, 513, 1000, 4096 + 7, 65536, 100_003]);
        foreach (int n in lengths)
        {
            var data = new byte[n];
            rng.NextBytes(data);
            uint expected = PngCrc32.ComputeBitwise(data);
            Assert.AreEqual(expected, PngCrc32.Compute(data), $"length {n}");
            Assert.AreEqual(expected, PngCrc32.UpdateTable(0xFFFFFFFFu, data) ^ 0xFFFFFFFFu, $"table path, length {n}");
            int split = rng.Next(n + 1); // a running register carried across two calls
            Assert.AreEqual(expected, PngCrc32.Update(PngCrc32.Update(0xFFFFFFFFu, data.AsSpan(0, split)), data.AsSpan(split)) ^ 0xFFFFFFFFu);
        }
    }

    [TestMethod]
    public void IsaSwitch_TookEffect()
    {
        string? expect = Environment.GetEnvironmentVariable("MLP_EXPECT_ISA");
        if (expect is "scalar" or "sse") Assert.IsFalse(Vector256.IsHardwareAccelerated);
        if (expect == "avx2") Assert.IsFalse(Vector512.IsHardwareAccelerated);
        Assert.IsTrue(expect is null or "scalar" or "sse" or "avx2", expect);
    }

    [TestMethod]
    public void Unfilter_MatchesTheSpecification_ForEveryFilterBppAndLength()
    {
        var rng = new Random(11);
        for (int bpp = 1; bpp <= 8; bpp++)
            for (int pixels = 0; pixels * bpp <= 257; pixels += pixels < 40 ? 1 : 17)
            {
                int n = pixels * bpp;
                var raw = new byte[n];
                var prior = new byte[n];
                rng.NextBytes(raw);
                rng.NextBytes(prior);
                for (byte f = 0; f <= 4; f++)
                    foreach (bool first in new[] { false, true })
                    {
                        byte[] expected = Reference(f, raw, first ? null : prior, bpp);
                        var actual = new byte[n];
                        Assert.IsTrue(PngFilters.Unfilter(f, raw, actual, first ? default : prior, bpp));
                        CollectionAssert.AreEqual(expected, actual, $"filter {f} bpp {bpp} n {n} first {first}");
                        byte[] inPlace = (byte[])raw.Clone();
                        Assert.IsTrue(PngFilters.Unfilter(f, inPlace, inPlace, first ? default : prior, bpp));
                        CollectionAssert.AreEqual(expected, inPlace, $"in place: filter {f} bpp {bpp} n {n}");
                    }
            }
    }

    [TestMethod]
    public void Filter_ThenUnfilter_IsTheIdentity()
    {
        var rng = new Random(12);
        foreach (int bpp in new[] { 1, 2, 3, 4, 6, 8 })
        {
            var row = new byte[bpp * 37];
            var prior = new byte[row.Length];
            rng.NextBytes(row);
            rng.NextBytes(prior);
            for (byte f = 0; f <= 4; f++)
            {
                var filtered = new byte[row.Length];
                PngFilters.Filter(f, row, prior, filtered, bpp);
                var back = new byte[row.Length];
                PngFilters.Unfilter(f, filtered, back, prior, bpp);
                CollectionAssert.AreEqual(row, back, $"filter {f} bpp {bpp}");
            }
        }
    }

    [TestMethod]
    public void UnknownFilterType_IsReported()
    {
        Assert.IsFalse(PngFilters.Unfilter(5, new byte[3], new byte[3], default, 1));
        Assert.IsFalse(PngFilters.Unfilter(255, [], [], default, 1));
    }

    /// <summary>Section 9 of the specification, one byte at a time, with x - bpp and the row above as zero outside the image.</summary>
    private static byte[] Reference(int filter, byte[] raw, byte[]? prior, int bpp)
    {
        var recon = new byte[raw.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            int a = i >= bpp ? recon[i - bpp] : 0;
            int b = prior is null ? 0 : prior[i];
            int c = prior is null || i < bpp ? 0 : prior[i - bpp];
            int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
            int paeth = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
            int predictor = filter switch { 1 => a, 2 => b, 3 => (a + b) / 2, 4 => paeth, _ => 0 };
            recon[i] = (byte)(raw[i] + predictor);
        }

        return recon;
    }
}
