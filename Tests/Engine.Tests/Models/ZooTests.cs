using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Models.Zoo;
using MlPipelines.Engine.Nn;
using MlPipelines.Engine.Nn.Layers;
using MlPipelines.Engine.Tests.Models.Zoo;

namespace MlPipelines.Engine.Tests.Models;

/// <summary>
/// The model zoo against the published architectures: exact parameter counts, multiply-adds within 2%, torchvision's
/// state-dict names and shapes, and a forward/backward pass of small configurations. Big models are only constructed
/// (their shapes propagated), never run at 224x224.
/// </summary>
[TestClass]
public sealed class ZooTests
{
    // Parameter counts at 3 channels and 1000 classes, and multiply-adds in G at the given input size. Sources: the
    // torchvision model documentation (https://pytorch.org/vision/stable/models.html, "Params" and "GFLOPS" columns, which
    // count multiply-adds) unless noted; every count was also checked with torchvision 0.14 on this machine.
    [TestMethod]
    [DataRow("alexnet", 61_100_840L, 0.71, 224)]
    // The 2012 AlexNet with LRN and grouped convolutions: Caffe's bvlc_alexnet, 60,965,224 parameters and 724 M
    // multiply-adds at 227x227 (the "60 million parameters" of Krizhevsky et al.).
    [DataRow("alexnet-original", 60_965_224L, 0.724, 227)]
    [DataRow("vgg11", 132_863_336L, 7.61, 224)]
    [DataRow("vgg11-bn", 132_868_840L, 7.61, 224)]
    [DataRow("vgg13", 133_047_848L, 11.31, 224)]
    [DataRow("vgg13-bn", 133_053_736L, 11.31, 224)]
    [DataRow("vgg16", 138_357_544L, 15.47, 224)]
    [DataRow("vgg16-bn", 138_365_992L, 15.47, 224)]
    [DataRow("vgg19", 143_667_240L, 19.63, 224)]
    [DataRow("vgg19-bn", 143_678_248L, 19.63, 224)]
    [DataRow("resnet18", 11_689_512L, 1.81, 224)]
    [DataRow("resnet34", 21_797_672L, 3.66, 224)]
    [DataRow("resnet50", 25_557_032L, 4.09, 224)]
    [DataRow("resnet101", 44_549_160L, 7.80, 224)]
    [DataRow("resnet152", 60_192_808L, 11.51, 224)]
    [DataRow("resnext50-32x4d", 25_028_904L, 4.23, 224)]
    [DataRow("resnext101-32x8d", 88_791_336L, 16.41, 224)]
    [DataRow("wide-resnet50-2", 68_883_240L, 11.40, 224)]
    [DataRow("mobilenet-v2", 3_504_872L, 0.30, 224)]
    // MobileNetV2 width multipliers: torchvision mobilenet_v2(width_mult=...) counts; multiply-adds from the TensorFlow-Slim
    // MobileNetV2 checkpoint table (209 M at 0.75, 97 M at 0.5, 59 M at 0.35).
    [DataRow("mobilenet-v2-0.75", 2_636_424L, 0.209, 224)]
    [DataRow("mobilenet-v2-0.5", 1_968_680L, 0.097, 224)]
    [DataRow("mobilenet-v2-0.35", 1_677_128L, 0.059, 224)]
    // MobileNetV3: torchvision documentation's parameter counts; multiply-adds from Howard et al. 2019 Table 3 (219 M, 56 M).
    [DataRow("mobilenet-v3-large", 5_483_032L, 0.219, 224)]
    [DataRow("mobilenet-v3-small", 2_542_856L, 0.056, 224)]
    [DataRow("efficientnet-b0", 5_288_548L, 0.39, 224)]
    [DataRow("efficientnet-b1", 7_794_184L, 0.69, 240)]
    [DataRow("efficientnet-b2", 9_109_994L, 1.09, 288)]
    [DataRow("efficientnet-b3", 12_233_232L, 1.83, 300)]
    [DataRow("efficientnet-b4", 19_341_616L, 4.39, 380)]
    [DataRow("googlenet", 6_624_904L, 1.50, 224)] // without the auxiliary heads
    // With them: torchvision 0.14 googlenet(aux_logits=True, init_weights=False) on this machine, 13,004,888 parameters; the
    // heads run in training only, so inference costs the same.
    [DataRow("googlenet-aux", 13_004_888L, 1.50, 224)]
    // MobileNet v1: Keras applications' MobileNet(alpha=1.0) summary, trainable parameters 4,231,976 (its non-trainable
    // ones are the batch-norm running statistics, buffers here); 569 million mult-adds (Howard et al. 2017, Table 8).
    [DataRow("mobilenet-v1", 4_231_976L, 0.569, 224)]
    // The width multiplier: Keras' trainable counts for alpha 0.75, 0.5, 0.25; mult-adds from Howard et al. Table 6.
    [DataRow("mobilenet-v1-0.75", 2_585_560L, 0.325, 224)]
    [DataRow("mobilenet-v1-0.5", 1_331_592L, 0.149, 224)]
    [DataRow("mobilenet-v1-0.25", 470_072L, 0.041, 224)]
    // Xception: Keras applications' Xception summary, trainable parameters 22,855,952; 8.4 G multiply-adds at 299x299
    // (timm's model card; 8.36 G counting convolutions and the classifier with torch hooks on this machine).
    [DataRow("xception", 22_855_952L, 8.36, 299)]
    // MLP-Mixer-B/16: timm's mixer_b16_224 model card, 59.88 M parameters (59,880,472 exactly by Table 1's sizes) and
    // 12.61 G multiply-adds.
    [DataRow("mixer-b16", 59_880_472L, 12.61, 224)]
    // ViT: torchvision documentation (vit_b_16, vit_b_32).
    [DataRow("vit-b16", 86_567_656L, 17.56, 224)]
    [DataRow("vit-b32", 88_224_232L, 4.41, 224)]
    // ViT-Ti/16 and S/16: timm's vit_tiny_patch16_224 / vit_small_patch16_224 model cards, 5.7 M / 22.1 M parameters (5,717,416
    // and 22,050,664 from torchvision's VisionTransformer class with these sizes on this machine), 1.08 / 4.25 GMACs without the
    // two attention products, which add 2 x 12 layers x 197^2 x D (0.179 G / 0.358 G) as torchvision counts them.
    [DataRow("vit-ti16", 5_717_416L, 1.259, 224)]
    [DataRow("vit-s16", 22_050_664L, 4.608, 224)]
    public void ParameterCountAndMultiplyAdds_MatchThePublishedNumbers(string name, long parameters, double gigaMacs, int inputSize)
    {
        Module model = ModelZoo.Create(name, 3, 1000, inputSize);
        var summary = ModelSummary.Create(model, 1, 3, inputSize, inputSize);
        Assert.AreEqual(parameters, summary.TotalParameters, $"{name} parameters");
        CollectionAssert.AreEqual(new[] { 1, 1000 }, summary.OutputShape.ToArray());
        Assert.AreEqual(gigaMacs, summary.TotalMultiplyAdds / 1e9, gigaMacs * 0.02, $"{name} multiply-adds (G)");
        if (TorchvisionKeys.TryGetValue(name, out var expected)) AssertSameKeysAndShapes(name, expected, model.StateDict());
    }

    // torchvision's state-dict keys and shapes for one model per family (gen_zoo.py), so its weights load by name.
    private static readonly IReadOnlyDictionary<string, Dictionary<string, int[]>> TorchvisionKeys = ZooFixture.TorchvisionKeys();

    [TestMethod]
    public void KeyFixture_CoversEveryFamily() =>
        CollectionAssert.AreEquivalent(new[] { "alexnet", "vgg11-bn", "resnet18", "resnet50", "resnext50-32x4d", "mobilenet-v2", "mobilenet-v3-large", "efficientnet-b0", "googlenet", "googlenet-aux" },
            TorchvisionKeys.Keys.ToArray());

    private static void AssertSameKeysAndShapes(string name, Dictionary<string, int[]> expected, StateDict ours)
    {
        var missing = expected.Keys.Where(k => !ours.ContainsKey(k)).ToList();
        var extra = ours.Keys.Where(k => !expected.ContainsKey(k)).ToList();
        Assert.AreEqual(0, missing.Count + extra.Count, $"{name}: missing {string.Join(", ", missing.Take(5))}; unexpected {string.Join(", ", extra.Take(5))}");
        foreach (var (key, shape) in expected)
            CollectionAssert.AreEqual(shape, ours[key].Shape.ToArray(), $"{name}: {key}");
    }

    [TestMethod]
    public void Create_IsDeterministicPerSeed_AndStartsInTraining()
    {
        float[] Weights(ulong seed) => ModelZoo.Create("mobilenet-v2-0.25", 3, 10, 32, seed).Parameters().SelectMany(p => p.Value.Span.ToArray()).ToArray();
        CollectionAssert.AreEqual(Weights(5), Weights(5));
        CollectionAssert.AreNotEqual(Weights(5), Weights(6));
        Module model = ModelZoo.Create("efficientnet-b0", 3, 10, 32);
        Assert.IsTrue(model.NamedModules().All(m => m.Value.IsTraining));
        Assert.AreEqual(1, model.NamedModules().Count(m => m.Value is Dropout), "classifier dropout");
    }

    [TestMethod]
    public void Names_AreLowerCaseUniqueAndCoverTheIssue()
    {
        var names = ModelZoo.Names;
        Assert.AreEqual(names.Count, names.Distinct().Count());
        foreach (string n in names) Assert.AreEqual(n.ToLowerInvariant(), n);
        foreach (string required in new[] { "alexnet", "vgg11", "vgg11-bn", "vgg13", "vgg13-bn", "vgg16", "vgg16-bn", "vgg19", "vgg19-bn",
                     "resnet34", "resnet50", "resnet101", "resnet152", "resnext50-32x4d", "mobilenet-v1", "mobilenet-v2",
                     "efficientnet-b0", "efficientnet-b1", "efficientnet-b2", "efficientnet-b3", "googlenet" })
            CollectionAssert.Contains(names.ToList(), required);
    }

    [TestMethod]
    public void Create_RejectsUnknownNamesAndInputsTooSmall()
    {
        var unknown = Assert.ThrowsExactly<ArgumentException>(() => ModelZoo.Create("resnet51"));
        StringAssert.Contains(unknown.Message, "resnet50");
        // AlexNet's third max pool needs at least 3x3 features, i.e. inputs of 63x63 or more.
        var small = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ModelZoo.Create("alexnet", 3, 10, 32));
        StringAssert.Contains(small.Message, "alexnet");
        StringAssert.Contains(small.Message, "32x32");
        Assert.IsNotNull(ModelZoo.Create("ResNet18", 3, 10, 32));
    }

    /// <summary>
    /// The architectures the per-model round trips leave to a smaller member of their family, each built by the same code with
    /// other sizes (so it shares every code path): VGG-11-BN stands for the other VGGs (Vgg.Create with other repeat counts,
    /// with or without batch norm); ResNet-50/101 and ResNeXt-50 for ResNet-152, ResNeXt-101 and Wide ResNet-50-2 (ResNet.Create
    /// with more blocks, groups or width); Mixer-S for Mixer-B/L and ViT-Ti/S for ViT-B/L/H (other widths and depths). Their
    /// parameter counts are checked above; running them would take 60-630 M parameters each.
    /// </summary>
    public static readonly IReadOnlySet<string> CoveredByFamily = new HashSet<string>
    {
        "vgg11", "vgg13", "vgg13-bn", "vgg16", "vgg16-bn", "vgg19", "vgg19-bn", "resnet152", "resnext101-32x8d", "wide-resnet50-2",
        "mixer-b16", "mixer-b32", "mixer-l16", "vit-b16", "vit-b32", "vit-l16", "vit-l32", "vit-h14",
    };

    /// <summary>Every other zoo name.</summary>
    public static IEnumerable<object[]> RunnableModels() => ModelZoo.Names.Where(n => !CoveredByFamily.Contains(n)).Select(n => new object[] { n });

    /// <summary>
    /// The model with the smallest square input it takes: MLP-Mixer and ViT are built for two patches a side (their token
    /// count is fixed); a convolutional network, whose layers do not depend on the input size, is probed for the smallest
    /// input its shapes allow.
    /// </summary>
    internal static (Module Model, int Size) AtSmallestInput(string name, int channels, int classes, ulong seed)
    {
        if (name.StartsWith("mixer-", StringComparison.Ordinal) || name.StartsWith("vit-", StringComparison.Ordinal))
        {
            int patch = int.Parse(new string([.. name.SkipWhile(c => !char.IsDigit(c))]), System.Globalization.CultureInfo.InvariantCulture);
            return (ModelZoo.Create(name, channels, classes, 2 * patch, seed), 2 * patch);
        }
        Module model = ModelZoo.Create(name, channels, classes, 96, seed);
        for (int size = 1; ; size++)
        {
            try
            {
                model.OutputShape([1, channels, size, size]);
                return (model, size);
            }
            catch (ArgumentException)
            {
            }
        }
    }

    [TestMethod]
    public void RunnableModels_LeaveOutOnlyDocumentedFamilyMembers()
    {
        var runnable = RunnableModels().Select(r => (string)r[0]).ToList();
        Assert.AreEqual(ModelZoo.Names.Count, runnable.Count + CoveredByFamily.Count);
        foreach (string name in CoveredByFamily) CollectionAssert.Contains(ModelZoo.Names.ToList(), name);
        foreach (string family in new[] { "vgg11-bn", "resnet50", "resnet101", "resnext50-32x4d", "mixer-s16", "mixer-s32", "vit-ti16", "vit-s16" })
            CollectionAssert.Contains(runnable, family);
    }

    /// <summary>
    /// Every architecture at its smallest input, one channel, three classes: forward and backward give finite values of the
    /// right shapes, every parameter gradient is finite and some are not zero, and three gradient steps on a batch of two
    /// lower the cross-entropy each time (evaluation mode, so dropout and batch statistics do not blur the comparison).
    /// </summary>
    [TestMethod]
    [DynamicData(nameof(RunnableModels))]
    public void EveryModel_AtItsSmallestInput_RunsForwardAndBackward_AndTrainingStepsLowerTheLoss(string name)
    {
        const int classes = 3, batch = 2;
        var (model, size) = AtSmallestInput(name, 1, classes, seed: 7);
        model.Eval();
        var rng = new SeededRandom(3);
        var x = new Tensor(batch, 1, size, size);
        for (int i = 0; i < x.Length; i++) x.Span[i] = rng.NextFloat(-1, 1);
        int[] labels = [0, 2];
        var ctx = new StepContext(ComputeConfig.SingleThreaded());
        var loss = new CrossEntropyLoss();
        var parameters = model.Parameters().ToList();
        double previous = double.PositiveInfinity;
        for (int step = 0; step < 3; step++)
        {
            ctx.BeginStep();
            Tensor logits = model.Forward(x, ctx);
            CollectionAssert.AreEqual(new[] { batch, classes }, logits.Shape.ToArray());
            foreach (float v in logits.Span) Assert.IsTrue(float.IsFinite(v), $"{name}: non-finite logit");
            double l = loss.Forward(logits, labels, ctx);
            Assert.IsTrue(l < previous, $"{name}: loss {previous} -> {l} at step {step}");
            previous = l;
            model.ZeroGrad();
            Tensor dx = model.Backward(loss.Gradient!, ctx);
            CollectionAssert.AreEqual(x.Shape.ToArray(), dx.Shape.ToArray());
            foreach (float v in dx.Span) Assert.IsTrue(float.IsFinite(v), $"{name}: non-finite input gradient");
            double squared = 0;
            foreach (Parameter p in parameters)
            {
                double s = System.Numerics.Tensors.TensorPrimitives.SumOfSquares(p.Grad.Span);
                Assert.IsTrue(double.IsFinite(s), $"{name}: non-finite parameter gradient");
                squared += s;
            }
            Assert.IsTrue(squared > 0, $"{name}: all parameter gradients are zero");
            // A step that lowers the loss by about 2% to first order.
            float lr = (float)(0.02 * l / squared);
            foreach (Parameter p in parameters)
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(p.Grad.Span, -lr, p.Value.Span, p.Value.Span);
        }
        ctx.BeginStep();
        double final = loss.Forward(model.Forward(x, ctx), labels, ctx);
        Assert.IsTrue(final < previous, $"{name}: loss {previous} -> {final} after the last step");
    }
}
