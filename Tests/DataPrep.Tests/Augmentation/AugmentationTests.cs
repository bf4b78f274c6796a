using MlPipelines.DataPrep.Augmentation;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Processing;

namespace MlPipelines.DataPrep.Tests.Augmentation;

[TestClass]
public sealed class AugmentationTests
{
    private static Image Photo(int w = 32, int h = 24)
    {
        var img = new Image(w, h, 3);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++)
                    img.Pixels[(y * w + x) * 3 + c] = (byte)(40 + 4 * x + 3 * y + 30 * c + (x * y % 7));
        return img;
    }

    private static IEnumerable<IImageAugmentation> All() =>
    [
        new RandomResizedCrop(16, 16),
        new RandomCrop(32, 24, padding: 4, mode: PaddingMode.Reflect),
        new RandomFlip(0.5, 0.5),
        new RandomAffine(30, (0.1, 0.1), (0.8, 1.2), (-10, 10)),
        new ColorJitter(0.4, 0.4, 0.4, 0.1),
        new PcaLighting(),
        new RandomGaussianBlur(),
        new RandomErasing(1.0, fill: null),
        new RandAugment(),
        new TrivialAugment(),
        new Compose(new RandomFlip(), new ColorJitter(0.2, 0.2)),
    ];

    [TestMethod]
    public void EveryAugmentation_IsReproducibleFromSeedEpochAndIndex()
    {
        Image img = Photo();
        foreach (var aug in All())
        {
            var r1 = AugmentationRandom.ForExample(7, 3, 12);
            var r2 = AugmentationRandom.ForExample(7, 3, 12);
            CollectionAssert.AreEqual(aug.Augment(img, ref r1).Pixels, aug.Augment(img, ref r2).Pixels, aug.Name);
            // Other examples or epochs see other draws (over a few tries at least one differs).
            bool differs = Enumerable.Range(0, 8).Any(i =>
            {
                var r3 = AugmentationRandom.ForExample(7, 4, 12 + i);
                var r4 = AugmentationRandom.ForExample(7, 3, 12);
                return !aug.Augment(img, ref r3).Pixels.AsSpan().SequenceEqual(aug.Augment(img, ref r4).Pixels);
            });
            Assert.IsTrue(differs, aug.Name + " ignores its random stream");
        }
    }

    [TestMethod]
    public void Augment_NeverChangesItsInput()
    {
        Image img = Photo();
        byte[] before = (byte[])img.Pixels.Clone();
        foreach (var aug in All())
        {
            var r = new AugmentationRandom(1);
            _ = aug.Augment(img, ref r);
            CollectionAssert.AreEqual(before, img.Pixels, aug.Name);
        }
    }

    [TestMethod]
    public void RandomResizedCrop_DrawsAreasAndRatiosInRange()
    {
        var aug = new RandomResizedCrop(8, 8, (0.2, 0.6), (0.5, 2.0));
        var rng = new AugmentationRandom(11);
        for (int i = 0; i < 500; i++)
        {
            var p = aug.Sample(ref rng, 200, 150);
            var r = p.Region;
            Assert.IsTrue(r.X >= 0 && r.Y >= 0 && r.X + r.Width <= 200 && r.Y + r.Height <= 150, $"{r} outside");
            double share = r.Width * r.Height / (200.0 * 150);
            Assert.IsTrue(share is > 0.19 and < 0.61, $"area share {share}");
            double ratio = r.Width / r.Height;
            Assert.IsTrue(ratio is > 0.45 and < 2.2, $"ratio {ratio}");
        }
        Assert.AreEqual(8, aug.Augment(Photo(), ref rng).Width);
    }

    [TestMethod]
    public void RandomResizedCrop_FallsBackToACentredCropWithAllowedRatio()
    {
        // A 100x4 strip cannot hold a 10 % crop with ratio <= 4/3 ten times running: the fallback is centred.
        var aug = new RandomResizedCrop(4, 4, (0.5, 0.5), (1.0, 1.0));
        var rng = new AugmentationRandom(2);
        var p = aug.Sample(ref rng, 100, 4);
        Assert.AreEqual(4, p.Region.Width);
        Assert.AreEqual(4, p.Region.Height);
        Assert.AreEqual(48, p.Region.X);
    }

    [TestMethod]
    public void RandomCrop_WithoutPaddingAtFullSize_IsIdentity_AndPaddedCropsStayInside()
    {
        Image img = Photo();
        var rng = new AugmentationRandom(3);
        CollectionAssert.AreEqual(img.Pixels, new RandomCrop(32, 24).Augment(img, ref rng).Pixels);
        var padded = new RandomCrop(32, 24, padding: 2);
        for (int i = 0; i < 100; i++)
        {
            var p = padded.Sample(ref rng, 32, 24);
            Assert.IsTrue(p.X is >= 0 and <= 4 && p.Y is >= 0 and <= 4);
        }
        var shifted = padded.Apply(img, new RandomCrop.Parameters(4, 0));
        // Output (x, y) is padded (x + 4, y), i.e. original (x + 2, y - 2).
        Assert.AreEqual(img.Pixels[2 * 3], shifted.Pixels[2 * 32 * 3]);
    }

    [TestMethod]
    public void RandomFlip_FlipsAboutAsOftenAsAsked()
    {
        var aug = new RandomFlip(0.3, 0);
        var rng = new AugmentationRandom(5);
        int flips = Enumerable.Range(0, 4000).Count(_ => aug.Sample(ref rng, 1, 1).Horizontal);
        Assert.AreEqual(0.3, flips / 4000.0, 0.03);
    }

    [TestMethod]
    public void NeutralSettings_LeaveTheImageAlone()
    {
        Image img = Photo();
        var rng = new AugmentationRandom(9);
        CollectionAssert.AreEqual(img.Pixels, new ColorJitter().Augment(img, ref rng).Pixels);
        CollectionAssert.AreEqual(img.Pixels, new RandomFlip(0, 0).Augment(img, ref rng).Pixels);
        CollectionAssert.AreEqual(img.Pixels, new RandomErasing(0).Augment(img, ref rng).Pixels);
        CollectionAssert.AreEqual(img.Pixels, new PcaLighting(0).Augment(img, ref rng).Pixels);
        CollectionAssert.AreEqual(img.Pixels, new RandomAffine(0).Augment(img, ref rng).Pixels);
    }

    [TestMethod]
    public void RandomErasing_FillsOnlyTheRectangle()
    {
        Image img = Photo();
        var aug = new RandomErasing(1.0, fill: 0);
        var rng = new AugmentationRandom(21);
        var p = aug.Sample(ref rng, img.Width, img.Height);
        Assert.IsNotNull(p.X);
        Image erased = aug.Apply(img, p);
        for (int y = 0; y < img.Height; y++)
            for (int x = 0; x < img.Width; x++)
            {
                bool inside = x >= p.X && x < p.X + p.Width && y >= p.Y && y < p.Y + p.Height;
                int o = (y * img.Width + x) * 3;
                Assert.AreEqual(inside ? 0 : img.Pixels[o], erased.Pixels[o]);
            }
    }

    [TestMethod]
    public void PolicyMagnitudes_FollowTheTables()
    {
        Assert.AreEqual(30.0, AugmentationPolicy.Magnitude(PolicyOperation.Rotate, 30, 32, 32, wide: false), 1e-12);
        Assert.AreEqual(135.0, AugmentationPolicy.Magnitude(PolicyOperation.Rotate, 30, 32, 32, wide: true), 1e-12);
        Assert.AreEqual(8.0, AugmentationPolicy.Magnitude(PolicyOperation.Posterize, 0, 32, 32, wide: false));
        Assert.AreEqual(4.0, AugmentationPolicy.Magnitude(PolicyOperation.Posterize, 30, 32, 32, wide: false));
        Assert.AreEqual(2.0, AugmentationPolicy.Magnitude(PolicyOperation.Posterize, 30, 32, 32, wide: true));
        Assert.AreEqual(255.0, AugmentationPolicy.Magnitude(PolicyOperation.Solarize, 0, 32, 32, wide: false));
        Assert.AreEqual(150.0 / 331 * 40, AugmentationPolicy.Magnitude(PolicyOperation.TranslateX, 30, 40, 32, wide: false), 1e-9);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => AugmentationPolicy.Magnitude(PolicyOperation.Rotate, 31, 1, 1, false));
        var rng = new AugmentationRandom(4);
        var steps = new RandAugment(3, 9).Sample(ref rng, 32, 32).Steps;
        Assert.AreEqual(3, steps.Count);
        Assert.IsTrue(steps.All(s => Math.Abs(s.Magnitude) == AugmentationPolicy.Magnitude(s.Operation, 9, 32, 32, false)));
    }

    [TestMethod]
    public void MixUp_IsAConvexCombinationOfPairs()
    {
        const int n = 4, d = 6, k = 3;
        var rng = new AugmentationRandom(8);
        float[] images = Enumerable.Range(0, n * d).Select(i => (float)i).ToArray();
        float[] targets = new float[n * k];
        for (int i = 0; i < n; i++) targets[i * k + i % k] = 1;
        float[] originalImages = (float[])images.Clone(), originalTargets = (float[])targets.Clone();
        var p = BatchMixing.SampleMixUp(ref rng, n, alpha: 0.4);
        Assert.IsTrue(p.Lambda is >= 0 and <= 1);
        CollectionAssert.AreEquivalent(Enumerable.Range(0, n).ToArray(), p.Partner.ToArray());
        BatchMixing.ApplyMixUp(images, targets, p);
        for (int i = 0; i < n; i++)
        {
            int j = p.Partner[i];
            for (int e = 0; e < d; e++)
                Assert.AreEqual(p.Lambda * originalImages[i * d + e] + (1 - p.Lambda) * originalImages[j * d + e], images[i * d + e], 1e-4);
            Assert.AreEqual(1.0, targets.AsSpan(i * k, k).ToArray().Sum(), 1e-5);
            Assert.AreEqual(p.Lambda * originalTargets[i * k] + (1 - p.Lambda) * originalTargets[j * k], targets[i * k], 1e-5);
        }
    }

    [TestMethod]
    public void CutMix_PastesTheBoxAndWeighsTargetsByItsArea()
    {
        const int n = 3, c = 2, h = 10, w = 12, k = 3;
        var rng = new AugmentationRandom(17);
        BatchMixParameters p;
        do p = BatchMixing.SampleCutMix(ref rng, n, w, h); while (p.BoxWidth == 0 || p.BoxHeight == 0 || p.Partner[0] == 0);
        float[] images = new float[n * c * h * w];
        for (int i = 0; i < n; i++) images.AsSpan(i * c * h * w, c * h * w).Fill(i + 1);
        float[] targets = new float[n * k];
        for (int i = 0; i < n; i++) targets[i * k + i] = 1;
        BatchMixing.ApplyCutMix(images, targets, c, h, w, p);
        int pasted = images.AsSpan(0, c * h * w).ToArray().Count(v => v == p.Partner[0] + 1);
        Assert.AreEqual(c * p.BoxWidth * p.BoxHeight, pasted);
        Assert.AreEqual(1 - (double)p.BoxWidth * p.BoxHeight / (w * h), p.Lambda, 1e-12);
        Assert.AreEqual(p.Lambda, targets[0], 1e-6);
        Assert.AreEqual(1 - p.Lambda, targets[p.Partner[0]], 1e-6);
    }

    [TestMethod]
    public void RandomNumbers_AreUniformEnough()
    {
        var rng = new AugmentationRandom(99);
        var counts = new int[10];
        for (int i = 0; i < 20000; i++) counts[rng.NextInt(10)]++;
        Assert.IsTrue(counts.All(n => n is > 1800 and < 2200), string.Join(",", counts));
        double betaMean = Enumerable.Range(0, 4000).Average(_ => rng.NextBeta(2, 6));
        Assert.AreEqual(0.25, betaMean, 0.01);
    }
}
