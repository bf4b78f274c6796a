using MlPipelines.Engine.Compute;
using ActivationKind = MlPipelines.Engine.Kernels.ActivationKind;
using MlPipelines.Engine.Nn;
using MlPipelines.Engine.Nn.Layers;

namespace MlPipelines.Engine.Tests.Nn;

/// <summary>
/// Every module's Backward against central finite differences of its Forward, through the loss sum(y * r).
/// The modules compute in float, so the step is 1e-2 and the tolerance a few percent of the gradient scale.
/// </summary>
[TestClass]
public sealed class ModuleGradientTests
{
    private static IEnumerable<(string Name, Func<Module> Make, int[] Shape)> Cases()
    {
        var r = new SeededRandom(1);
        yield return ("conv", () => new Conv2d(3, 4, 3, 1, 1, init: r), [2, 3, 5, 5]);
        yield return ("conv strided dilated grouped", () => new Conv2d(4, 6, (3, 2), (2, 1), new Padding2d(1, 0, 2, 1), (1, 2), 2, init: r), [2, 4, 6, 6]);
        yield return ("linear", () => new Linear(7, 3, init: r), [4, 7]);
        yield return ("batchnorm train", () => new BatchNorm2d(3), [3, 3, 2, 2]);
        yield return ("layernorm", () => new LayerNorm(6), [3, 6]);
        yield return ("maxpool", () => new MaxPool2d(3, 2, 1), [1, 2, 7, 7]);
        yield return ("avgpool", () => new AvgPool2d(3, 2, 1, ceilMode: true, countIncludePad: false), [1, 2, 6, 6]);
        yield return ("global avg", () => new GlobalAvgPool2d(), [2, 3, 3, 3]);
        yield return ("global max", () => new GlobalMaxPool2d(), [2, 3, 3, 3]);
        foreach (var kind in Enum.GetValues<ActivationKind>())
            yield return (kind.ToString(), () => new ActivationLayer(kind, 0.1f), [2, 9]);
        yield return ("flatten+linear", () => new Sequential(new Flatten(), new Linear(12, 2, init: r)), [2, 3, 2, 2]);
        yield return ("basic block (projection)", () => new BasicBlock(2, 4, 2, r), [2, 2, 5, 5]);
        yield return ("basic block (identity)", () => new BasicBlock(3, 3, 1, r), [2, 3, 4, 4]);
        yield return ("bottleneck (grouped projection)", () => new Bottleneck(4, 2, 2, groups: 2, baseWidth: 64, init: r), [2, 4, 5, 5]);
        yield return ("bottleneck (identity)", () => new Bottleneck(8, 2, 1, init: r), [2, 8, 3, 3]);
        yield return ("inverted residual (expanded, residual)", () => new InvertedResidual(3, 3, 1, 2, r), [2, 3, 3, 3]);
        yield return ("inverted residual (t = 1, stride 2)", () => new InvertedResidual(3, 4, 2, 1, r), [2, 3, 5, 5]);
        yield return ("mbconv (residual, squeeze-excitation)", () => new MBConv(4, 4, 8, 3, 1, 0, r), [2, 4, 4, 4]);
        yield return ("squeeze-excitation", () => new SqueezeExcitation(4, 2, ActivationKind.Silu, ActivationKind.Sigmoid, r), [2, 4, 3, 3]);
        yield return ("channel concat", () => new ChannelConcat(("a", new Conv2d(3, 2, 1, init: r)), ("b", new Sequential(new Conv2d(3, 3, 3, 1, 1, init: r), new Tanh())),
            ("c", new AvgPool2d(3, 1, 1))), [2, 3, 4, 4]);
        yield return ("residual (projection)", () => new Residual("main", new Sequential(new Conv2d(2, 3, 3, 2, 1, init: r), new Tanh()), "skip", new Conv2d(2, 3, 1, 2, init: r)), [2, 2, 5, 5]);
        yield return ("residual (identity)", () => new Residual("main", new Sequential(new Conv2d(2, 2, 3, 1, 1, init: r), new Sigmoid())), [2, 2, 3, 3]);
        yield return ("transpose last two", () => new TransposeLastTwo(), [2, 3, 4]);
        yield return ("image to tokens", () => new TransposeLastTwo(flattenImage: true), [2, 3, 2, 3]);
        yield return ("token mean", () => new TokenMean(), [2, 3, 4]);
        yield return ("self-attention", () => new MultiheadSelfAttention(8, 2, r), [2, 3, 8]);
        yield return ("encoder block", () => new EncoderBlock(8, 2, 12, init: r), [2, 3, 8]);
        yield return ("mixer block", () => new MixerBlock(3, 4, 5, 6, r), [2, 3, 4]);
        yield return ("vision transformer", () => WithRandomHead(new VisionTransformer(2, 8, 4, 1, 2, 8, 12, 3, init: r)), [2, 2, 8, 8]);
        yield return ("local response norm", () => new LocalResponseNorm(3, 0.5f, 0.75f, 1.5f), [2, 5, 2, 2]);
        yield return ("local response norm (even window)", () => new LocalResponseNorm(4, 0.3f, 0.6f, 1f), [1, 6, 2, 1]);
        yield return ("adaptive avg pool", () => new AdaptiveAvgPool2d(3, 2), [2, 2, 5, 7]);
        yield return ("stochastic depth (eval)", () => new StochasticDepth(0.3f).Eval(), [2, 3, 2, 2]);
    }

    /// <summary>torchvision's ViT starts with a zero head, which would hide every other gradient.</summary>
    private static Module WithRandomHead(VisionTransformer vit)
    {
        var rng = new SeededRandom(9);
        foreach (var (name, p) in vit.NamedParameters())
            if (name.StartsWith("heads.", StringComparison.Ordinal) || name == "class_token")
                for (int i = 0; i < p.Value.Length; i++) p.Value.Span[i] = rng.NextFloat(-1, 1);
        return vit;
    }

    [TestMethod]
    public void Backward_MatchesFiniteDifferences()
    {
        foreach (var (name, make, shape) in Cases())
        {
            Module m = make();
            var rng = new Random(name.Length);
            var x = new Tensor(shape);
            for (int i = 0; i < x.Length; i++) x.Span[i] = (float)(rng.NextDouble() * 4 - 2);
            var ctx = new StepContext(ComputeConfig.SingleThreaded());
            int[] outShape = m.OutputShape(shape);
            var weights = new Tensor(outShape);
            for (int i = 0; i < weights.Length; i++) weights.Span[i] = (float)(rng.NextDouble() - 0.5);

            double Loss()
            {
                ctx.BeginStep();
                Tensor y = m.Forward(x, ctx);
                double s = 0;
                for (int i = 0; i < y.Length; i++) s += (double)y.Span[i] * weights.Span[i];
                return s;
            }

            m.ZeroGrad();
            Loss();
            float[] dx = m.Backward(weights, ctx).Span.ToArray();
            var paramGrads = m.NamedParameters().Select(p => (p.Name, p.Value, Grad: p.Value.Grad.Span.ToArray())).ToList();
            var targets = new List<(string What, Tensor T, float[] Grad)> { ("x", x, dx) };
            targets.AddRange(paramGrads.Select(p => ("param " + p.Name, p.Value.Value, p.Grad)));
            foreach (var (what, t, grad) in targets)
            {
                double scale = grad.Max(v => Math.Abs((double)v)) + 1e-3;
                for (int i = 0; i < t.Length; i += Math.Max(1, t.Length / 17))
                {
                    float keep = t.Span[i];
                    // Kinks (ReLU-like, max) within the step make the difference meaningless; skip those points.
                    if (IsNearKink(name, keep)) continue;
                    double FiniteDifference(float h)
                    {
                        t.Span[i] = keep + h;
                        double up = Loss();
                        t.Span[i] = keep - h;
                        double down = Loss();
                        t.Span[i] = keep;
                        return (up - down) / (2.0 * h);
                    }
                    double tol = 0.03 * scale + 2e-3;
                    double fd = FiniteDifference(1e-2f);
                    // A hidden ReLU inside a block may switch within the wider step; a narrower one decides.
                    if (Math.Abs(fd - grad[i]) > tol) fd = FiniteDifference(2e-3f);
                    Assert.AreEqual(fd, grad[i], tol, $"{name}: d/d{what}[{i}]");
                }
            }
        }
    }

    private static bool IsNearKink(string name, float x) => name switch
    {
        "Relu" or "LeakyRelu" => Math.Abs(x) < 0.02,
        "Relu6" => Math.Abs(x) < 0.02 || Math.Abs(x - 6) < 0.02,
        "HardSwish" or "HardSigmoid" => Math.Abs(Math.Abs(x) - 3) < 0.02,
        _ => false,
    };

    [TestMethod]
    public void Backward_WithoutForward_IsAClearError()
    {
        var ctx = new StepContext();
        var ex = Assert.ThrowsExactly<InvalidOperationException>(() => new Linear(2, 2).Backward(new Tensor(1, 2), ctx));
        StringAssert.Contains(ex.Message, "Linear");
    }

    [TestMethod]
    public void WrongInputShapes_NameTheModule()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => new Conv2d(3, 4, 3).OutputShape([1, 2, 8, 8]));
        StringAssert.Contains(ex.Message, "Conv2d");
        StringAssert.Contains(ex.Message, "3 input channels");
        Assert.ThrowsExactly<ArgumentException>(() => new Linear(5, 2).OutputShape([3, 4]));
    }
}
