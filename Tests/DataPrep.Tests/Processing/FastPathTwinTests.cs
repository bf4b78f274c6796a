using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Processing;

namespace MlPipelines.DataPrep.Tests.Processing;

/// <summary>The fast paths of resize, flip and the photometric operations against plain per-value definitions, over odd shapes.</summary>
[TestClass]
public sealed class FastPathTwinTests
{
    private static Image Noise(int width, int height, int channels, int seed)
    {
        var rng = new Random(seed);
        var image = new Image(width, height, channels);
        rng.NextBytes(image.Pixels);
        return image;
    }

    [TestMethod]
    public void Resize_FastPath_GivesTheReferenceBytes()
    {
        int seed = 0;
        foreach (int channels in new[] { 1, 3, 4 })
            foreach (var (w, h, ow, oh) in new[] { (17, 9, 5, 3), (33, 21, 64, 40), (500, 375, 224, 224), (7, 7, 31, 2), (40, 1, 13, 1), (1, 19, 1, 33) })
                foreach (var filter in Enum.GetValues<ResamplingFilter>())
                {
                    var image = Noise(w, h, channels, seed++);
                    var region = new SourceRegion(w * 0.1, h * 0.2, w * 0.7, h * 0.75);
                    var fast = ImageResizer.Resize(image, region, ow, oh, filter, reference: false);
                    var slow = ImageResizer.Resize(image, region, ow, oh, filter, reference: true);
                    CollectionAssert.AreEqual(slow.Pixels, fast.Pixels, $"{w}x{h}x{channels} -> {ow}x{oh} {filter}");
                }
    }

    [TestMethod]
    public void FlipHorizontal_MirrorsEveryPixel()
    {
        foreach (int channels in new[] { 1, 3, 4 })
        {
            var image = Noise(13, 5, channels, channels);
            var flipped = ImageOps.FlipHorizontal(image);
            for (int y = 0; y < 5; y++)
                for (int x = 0; x < 13; x++)
                    for (int c = 0; c < channels; c++)
                        Assert.AreEqual(image.Pixels[(y * 13 + x) * channels + c], flipped.Pixels[(y * 13 + 12 - x) * channels + c]);
        }
    }

    [TestMethod]
    public void BrightnessContrastSaturation_FollowTheirDefinitions_AndKeepAlpha()
    {
        foreach (int channels in new[] { 3, 4 })
        {
            var image = Noise(11, 7, channels, 10 + channels);
            var gray = ImageOps.ToGrayscale(image).Pixels;
            double mean = gray.Select(b => (double)b).Sum() / gray.Length;
            foreach (double f in new[] { 0.0, 0.37, 1.0, 1.6 })
            {
                var bright = ColorOps.AdjustBrightness(image, f);
                var contrast = ColorOps.AdjustContrast(image, f);
                var saturation = ColorOps.AdjustSaturation(image, f);
                for (int i = 0; i < image.Pixels.Length; i++)
                {
                    int c = i % channels;
                    double v = image.Pixels[i], y = gray[i / channels];
                    byte Expect(double x) => c == 3 ? image.Pixels[i] : (byte)Math.Clamp((int)Math.Round(x), 0, 255);
                    Assert.AreEqual(Expect(v * f), bright.Pixels[i], $"brightness {f} at {i}");
                    Assert.AreEqual(Expect(mean + f * (v - mean)), contrast.Pixels[i], $"contrast {f} at {i}");
                    Assert.AreEqual(Expect(y + f * (v - y)), saturation.Pixels[i], $"saturation {f} at {i}");
                }
            }
        }
    }
}
