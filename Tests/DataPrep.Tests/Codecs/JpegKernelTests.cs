using System.Runtime.Intrinsics;
using MlPipelines.DataPrep.Codecs.Jpeg;

namespace MlPipelines.DataPrep.Tests.Codecs;

/// <summary>
/// The JPEG kernels against their reference twins and against definitions in double precision: the islow IDCT
/// (Vector512 pairs, Vector256, DC-only shortcut) over odd block counts, strides and extreme coefficients; fancy
/// upsampling (h2v1, h1v2, h2v2) over every width 1..257; YCbCr to RGB over every tail length.
/// </summary>
[TestClass]
[TestCategory("Kernels")]
public sealed class JpegKernelTests
{
    [TestMethod]
    public void IsaSwitch_PicksTheExpectedIdctPath()
    {
        string? expect = Environment.GetEnvironmentVariable("MLP_EXPECT_ISA");
        string path = JpegIdct.ActivePath;
        if (expect is "scalar" or "sse") Assert.AreEqual("Scalar", path); // the IDCT's vector paths are 256 and 512 bits wide
        if (expect == "avx2") Assert.AreNotEqual("Vector512", path);
        if (Vector512.IsHardwareAccelerated) Assert.AreEqual("Vector512", path);
    }

    [TestMethod]
    public void IdctRow_MatchesTheReference_ForEveryBlockCountAndContent()
    {
        var rng = new Random(3);
        for (int count = 1; count <= 9; count++)
        {
            foreach (int extraStride in new[] { 0, 5 })
            {
                int stride = (count * 8) + extraStride, offset = extraStride * 3;
                var coefficients = new short[count * 64];
                var quant = new int[64];
                for (int trial = 0; trial < 20; trial++)
                {
                    for (int k = 0; k < 64; k++) quant[k] = trial % 4 == 3 ? rng.Next(1, 65536) : rng.Next(1, 100);
                    for (int b = 0; b < count; b++)
                        FillBlock(coefficients.AsSpan(b * 64, 64), rng, kind: (trial + b) % 5);
                    var actual = new byte[offset + (8 * stride)];
                    var expected = new byte[actual.Length];
                    JpegIdct.TransformRow(coefficients, quant, actual, offset, stride, count);
                    for (int b = 0; b < count; b++)
                        JpegIdct.TransformBlockReference(coefficients.AsSpan(b * 64, 64), quant, expected.AsSpan(offset + (b * 8)), stride);
                    for (int r = 0; r < 8; r++)
                        CollectionAssert.AreEqual(
                            expected.AsSpan(offset + (r * stride), count * 8).ToArray(), actual.AsSpan(offset + (r * stride), count * 8).ToArray(),
                            $"count {count} stride {stride} trial {trial} row {r} ({JpegIdct.ActivePath})");
                }
            }
        }
    }

    [TestMethod]
    public void IdctReference_IsWithinOneOfTheExactInverseDct()
    {
        // The definition (ITU T.81 A.3.3) in double precision, rounded, level-shifted and clamped; islow's 13-bit
        // fixed point stays within one of it for coefficients of real images (|F| < 1024 after dequantisation).
        var rng = new Random(9);
        var block = new short[64];
        var quant = new int[64];
        Array.Fill(quant, 1);
        var actual = new byte[64];
        int worst = 0;
        for (int trial = 0; trial < 300; trial++)
        {
            FillBlock(block, rng, kind: trial % 4);
            for (int k = 0; k < 64; k++) block[k] = (short)Math.Clamp((int)block[k], -1023, 1023);
            JpegIdct.TransformBlockReference(block, quant, actual, 8);
            for (int y = 0; y < 8; y++)
                for (int x = 0; x < 8; x++)
                {
                    double sum = 0;
                    for (int v = 0; v < 8; v++)
                        for (int u = 0; u < 8; u++)
                        {
                            double cu = u == 0 ? Math.Sqrt(0.5) : 1, cv = v == 0 ? Math.Sqrt(0.5) : 1;
                            sum += cu * cv * block[(v * 8) + u] * Math.Cos(((2 * x) + 1) * u * Math.PI / 16) * Math.Cos(((2 * y) + 1) * v * Math.PI / 16);
                        }

                    int exact = Math.Clamp((int)Math.Round((sum / 4) + 128), 0, 255);
                    worst = Math.Max(worst, Math.Abs(exact - actual[(y * 8) + x]));
                }
        }

        Assert.IsLessThanOrEqualTo(1, worst);
    }

    [TestMethod]
    public void FancyUpsampling_MatchesTheReference_ForEveryWidth()
    {
        var rng = new Random(5);
        for (int width = 1; width <= 257; width++)
        {
            byte[] near = Bytes(rng, width + 40), far = Bytes(rng, width + 40);
            var expected = new byte[(2 * width) + 64];
            var actual = new byte[(2 * width) + 64];

            JpegUpsampler.H2V2Reference(near.AsSpan(0, width), far.AsSpan(0, width), width, expected);
            JpegUpsampler.H2V2(near.AsSpan(0, width), far.AsSpan(0, width), width, actual);
            AssertPrefix(expected, actual, 2 * width, $"h2v2 width {width}");

            JpegUpsampler.H2V1Reference(near.AsSpan(0, width), width, expected);
            JpegUpsampler.H2V1(near.AsSpan(0, width), width, actual);
            AssertPrefix(expected, actual, 2 * width, $"h2v1 width {width}");

            foreach (bool below in new[] { false, true })
            {
                JpegUpsampler.H1V2Reference(near.AsSpan(0, width), far.AsSpan(0, width), width, below, expected);
                JpegUpsampler.H1V2(near.AsSpan(0, width), far.AsSpan(0, width), width, below, actual);
                AssertPrefix(expected, actual, width, $"h1v2 width {width} below {below}");
            }
        }
    }

    [TestMethod]
    public void FancyUpsamplingReference_IsTheTriangleFilter()
    {
        // h2v1: each output sample is 3/4 of its nearest input and 1/4 of the next nearest (edges repeat), with
        // libjpeg's ordered rounding (+1 for even outputs, +2 for odd); constant input stays constant.
        var rng = new Random(8);
        for (int width = 3; width <= 40; width++)
        {
            byte[] input = Bytes(rng, width);
            var output = new byte[2 * width];
            JpegUpsampler.H2V1Reference(input, width, output);
            for (int x = 0; x < 2 * width; x++)
            {
                int i = x / 2, j = Math.Clamp(x % 2 == 0 ? i - 1 : i + 1, 0, width - 1);
                Assert.AreEqual(((3 * input[i]) + input[j] + (x % 2 == 0 ? 1 : 2)) >> 2, output[x], $"width {width} x {x}");
            }

            var flat = Enumerable.Repeat((byte)input[0], width).ToArray();
            var flatOut = new byte[4 * width];
            JpegUpsampler.H2V2Reference(flat, flat, width, flatOut);
            Assert.IsTrue(flatOut.AsSpan(0, 2 * width).IndexOfAnyExcept(input[0]) < 0, $"h2v2 keeps a flat row flat, width {width}");
        }
    }

    [TestMethod]
    public void YCbCrToRgb_MatchesTheReference_AndTheJfifFormulas()
    {
        var rng = new Random(13);
        for (int width = 0; width <= 257; width++)
        {
            byte[] y = Bytes(rng, width), cb = Bytes(rng, width), cr = Bytes(rng, width);
            var expected = new byte[3 * width];
            var actual = new byte[3 * width];
            JpegColorConverter.YCbCrToRgbReference(y, cb, cr, expected, width);
            JpegColorConverter.YCbCrToRgb(y, cb, cr, actual, width);
            CollectionAssert.AreEqual(expected, actual, $"width {width}");
            for (int i = 0; i < width; i++)
            {
                // JFIF: R = Y + 1.402 (Cr - 128), G = Y - 0.344136 (Cb - 128) - 0.714136 (Cr - 128), B = Y + 1.772 (Cb - 128).
                double r = y[i] + (1.402 * (cr[i] - 128)), g = y[i] - (0.344136 * (cb[i] - 128)) - (0.714136 * (cr[i] - 128));
                double b = y[i] + (1.772 * (cb[i] - 128));
                Assert.IsLessThanOrEqualTo(1, Math.Abs(Math.Clamp((int)Math.Round(r), 0, 255) - expected[3 * i]));
                Assert.IsLessThanOrEqualTo(1, Math.Abs(Math.Clamp((int)Math.Round(g), 0, 255) - expected[(3 * i) + 1]));
                Assert.IsLessThanOrEqualTo(1, Math.Abs(Math.Clamp((int)Math.Round(b), 0, 255) - expected[(3 * i) + 2]));
            }
        }
    }

    [TestMethod]
    public void CmykToRgb_IsInkTimesBlackOver255()
    {
        var rng = new Random(21);
        const int width = 300;
        byte[] c = Bytes(rng, width), m = Bytes(rng, width), y = Bytes(rng, width), k = Bytes(rng, width);
        c[0] = m[0] = y[0] = k[0] = 255; // no ink at all: white
        k[1] = 0;                        // full black
        var rgb = new byte[3 * width];
        JpegColorConverter.CmykToRgb(c, m, y, k, rgb, width);
        Assert.AreEqual((255, 255, 255), (rgb[0], rgb[1], rgb[2]));
        Assert.AreEqual((0, 0, 0), (rgb[3], rgb[4], rgb[5]));
        for (int i = 0; i < width; i++)
            Assert.AreEqual((int)Math.Round(c[i] * k[i] / 255.0, MidpointRounding.AwayFromZero), rgb[3 * i], $"pixel {i}");
    }

    // kind 0: DC only; 1: sparse low frequencies; 2: dense random; 3: extremes (saturation, overflow); 4: all zero.
    private static void FillBlock(Span<short> block, Random rng, int kind)
    {
        block.Clear();
        switch (kind)
        {
            case 0:
                block[0] = (short)rng.Next(-1024, 1024);
                break;
            case 1:
                for (int i = 0; i < 6; i++) block[rng.Next(20)] = (short)rng.Next(-300, 300);
                break;
            case 2:
                for (int i = 0; i < 64; i++) block[i] = (short)rng.Next(-200, 200);
                break;
            case 3:
                for (int i = 0; i < 64; i++) block[i] = (short)(rng.Next(2) == 0 ? rng.Next(-32768, 32768) : 0);
                break;
        }
    }

    private static byte[] Bytes(Random rng, int n)
    {
        var b = new byte[n];
        rng.NextBytes(b);
        return b;
    }

    private static void AssertPrefix(byte[] expected, byte[] actual, int n, string what)
    {
        int at = expected.AsSpan(0, n).CommonPrefixLength(actual.AsSpan(0, n));
        if (at < n) Assert.Fail($"{what}: sample {at} is {actual[at]}, reference {expected[at]}");
    }
}
