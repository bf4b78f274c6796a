using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Models.Zoo;
using MlPipelines.Engine.Nn;
using MlPipelines.Engine.Nn.Layers;

namespace MlPipelines.Engine.Tests.Models;

/// <summary>
/// GoogLeNet's auxiliary classifiers: the combined training loss (main + 0.3 x each head's, Szegedy et al. 2015) and its
/// gradient against finite differences of a plain double-precision reference, the heads' absence from evaluation, and the
/// paper's layout in the zoo.
/// </summary>
[TestClass]
public sealed class AuxiliaryClassifierTests
{
    private static readonly int[] Labels = [0, 2];

    /// <summary>Two taps on a tiny smooth trunk (tanh, so finite differences meet fewer kinks); the second pools a 3x3 map to 2x2 (overlapping bins).</summary>
    private static (Sequential Model, AuxiliaryClassifier[] Heads) Tiny()
    {
        var init = new SeededRandom(5);
        var aux1 = new AuxiliaryClassifier(4, 3, init, convChannels: 3, pooledSize: 2, hidden: 8);
        var aux2 = new AuxiliaryClassifier(6, 3, init, convChannels: 2, pooledSize: 2, hidden: 16, dropout: 0.5f);
        var model = new Sequential()
            .Add("conv1", new Conv2d(2, 4, 3, 1, 1, init: init)).Add("tanh1", new Tanh()).Add("aux1", aux1)
            .Add("conv2", new Conv2d(4, 6, 3, 2, 1, init: init)).Add("tanh2", new Tanh()).Add("aux2", aux2)
            .Add("pool", new GlobalAvgPool2d()).Add("fc", new Linear(6, 3, init: init));
        return (model, [aux1, aux2]);
    }

    private static Tensor Input()
    {
        var rng = new SeededRandom(9);
        var x = new Tensor(2, 2, 5, 5);
        foreach (ref float v in x.Span) v = rng.NextFloat(-1, 1);
        return x;
    }

    /// <summary>Mean cross-entropy of [N, C] logits in double: log-sum-exp minus the label's logit.</summary>
    private static double CrossEntropy(Tensor logits, int[] labels)
    {
        int n = logits.Dim(0), c = logits.Dim(1);
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int j = 0; j < c; j++) max = Math.Max(max, logits.Span[i * c + j]);
            for (int j = 0; j < c; j++) sum += Math.Exp(logits.Span[i * c + j] - max);
            total += max + Math.Log(sum) - logits.Span[i * c + labels[i]];
        }
        return total / n;
    }

    /// <summary>The paper's objective, computed independently of the library's loss code. A fresh context per call draws the same dropout masks.</summary>
    private static double ReferenceLoss(Module model, AuxiliaryClassifier[] heads, Tensor x)
    {
        var ctx = new StepContext(ComputeConfig.SingleThreaded(11));
        ctx.BeginStep();
        double loss = CrossEntropy(model.Forward(x, ctx), Labels);
        foreach (var head in heads) loss += 0.3 * CrossEntropy(head.Logits(ctx)!, Labels);
        return loss;
    }

    [TestMethod]
    public void CombinedLoss_AndItsGradient_MatchTheReferenceAndFiniteDifferences()
    {
        var (model, heads) = Tiny();
        Tensor x = Input();
        var ctx = new StepContext(ComputeConfig.SingleThreaded(11));
        ctx.BeginStep();
        Tensor logits = model.Forward(x, ctx);
        var ce = new CrossEntropyLoss();
        double main = ce.Forward(logits, Labels, ctx);
        Tensor dLogits = ce.Gradient!;
        double total = IAuxiliaryClassifier.AddAuxiliaryLosses(model, ctx, main, t => (ce.Forward(t, Labels, ctx), ce.Gradient!));
        double reference = ReferenceLoss(model, heads, x);
        Assert.AreEqual(reference, total, 1e-5, "combined loss");
        Assert.IsTrue(total - main > 0.1, "the auxiliary losses are part of the total");
        model.ZeroGrad();
        Tensor dx = model.Backward(dLogits, ctx);

        // Central differences; a coordinate whose one-sided differences disagree sits on a ReLU kink of a head and is skipped.
        const float eps = 1e-3f;
        int checkedCount = 0, kinks = 0;
        void Check(string what, Span<float> values, float[] analytic)
        {
            // The largest analytic entries (so the check has teeth) and a few others.
            var picks = Enumerable.Range(0, analytic.Length).OrderByDescending(i => Math.Abs(analytic[i])).Take(3).ToList();
            picks.AddRange(Enumerable.Range(0, Math.Min(3, analytic.Length)).Select(k => k * 7919 % analytic.Length));
            foreach (int i in picks.Distinct())
            {
                float saved = values[i];
                double center = ReferenceLoss(model, heads, x);
                values[i] = saved + eps;
                double plus = ReferenceLoss(model, heads, x);
                values[i] = saved - eps;
                double minus = ReferenceLoss(model, heads, x);
                values[i] = saved;
                double forward = (plus - center) / eps, backward = (center - minus) / eps;
                if (Math.Abs(forward - backward) > 1e-3 + 0.1 * Math.Max(Math.Abs(forward), Math.Abs(backward)))
                {
                    kinks++;
                    continue;
                }
                double fd = (plus - minus) / (2.0 * eps);
                Assert.AreEqual(fd, analytic[i], 5e-4 + 2e-2 * Math.Abs(fd), $"{what}[{i}]");
                checkedCount++;
            }
        }

        foreach (var (name, p) in model.NamedParameters()) Check(name, p.Value.Span, p.Grad.Span.ToArray());
        Check("input", x.Span, dx.Span.ToArray());
        Assert.IsTrue(kinks <= 3 && checkedCount >= 60, $"{checkedCount} coordinates checked, {kinks} skipped on kinks");
        foreach (var (name, p) in model.NamedParameters().Where(p => p.Name.StartsWith("aux", StringComparison.Ordinal) && p.Name.EndsWith("weight", StringComparison.Ordinal)))
            Assert.IsTrue(p.Grad.Span.ToArray().Any(g => g != 0), $"{name} received no gradient");
    }

    [TestMethod]
    public void WithoutAGradient_TheTapPassesTheGradientThrough_AndInEvaluationItDoesNotRun()
    {
        var (model, heads) = Tiny();
        Tensor x = Input();
        var ctx = new StepContext(ComputeConfig.SingleThreaded());
        ctx.BeginStep();
        Tensor y = model.Forward(x, ctx);
        foreach (var head in heads) CollectionAssert.AreEqual(new[] { 2, 3 }, head.Logits(ctx)!.Shape.ToArray());
        model.ZeroGrad();
        model.Backward(y, ctx);
        foreach (var (name, p) in model.NamedParameters().Where(p => p.Name.StartsWith("aux", StringComparison.Ordinal)))
            Assert.IsTrue(p.Grad.Span.ToArray().All(g => g == 0), $"{name} has a gradient without an auxiliary loss");

        model.Eval();
        ctx.BeginStep();
        model.Forward(x, ctx);
        foreach (var head in heads)
        {
            Assert.IsNull(head.Logits(ctx));
            Assert.ThrowsExactly<InvalidOperationException>(() => head.SetLogitsGradient(new Tensor(2, 3), ctx));
        }
        Assert.AreEqual(0.0, IAuxiliaryClassifier.AddAuxiliaryLosses(model, ctx, 0, _ => throw new AssertFailedException("no head ran")));
    }

    [TestMethod]
    public void GoogLeNetAux_EvaluatesLikeGoogLeNet_WithThePapersHeads()
    {
        Module withAux = ModelZoo.Create("googlenet-aux", 1, 5, 32, seed: 3);
        Module plain = ModelZoo.Create("googlenet", 1, 5, 32, seed: 4);
        var load = plain.LoadStateDict(withAux.StateDict(), strict: false);
        Assert.AreEqual(0, load.MissingKeys.Count + load.ShapeMismatches.Count, load.ToString());
        Assert.IsTrue(load.UnexpectedKeys.Count > 0 && load.UnexpectedKeys.All(k => k.StartsWith("aux1.", StringComparison.Ordinal) || k.StartsWith("aux2.", StringComparison.Ordinal)),
            string.Join(", ", load.UnexpectedKeys));

        var heads = withAux.NamedModules().Where(m => m.Value is AuxiliaryClassifier).ToList();
        CollectionAssert.AreEqual(new[] { "aux1", "aux2" }, heads.Select(h => h.Name).ToArray());
        foreach (var (_, head) in heads) Assert.AreEqual(0.3f, ((IAuxiliaryClassifier)head).LossWeight, "the paper's weight");
        var names = ((Sequential)withAux).Children.Select(c => c.Name).ToList();
        Assert.AreEqual(names.IndexOf("inception4a") + 1, names.IndexOf("aux1"));
        Assert.AreEqual(names.IndexOf("inception4d") + 1, names.IndexOf("aux2"));

        var rng = new SeededRandom(1);
        var x = new Tensor(2, 1, 32, 32);
        foreach (ref float v in x.Span) v = rng.NextFloat(-1, 1);
        var ctx = new StepContext(ComputeConfig.SingleThreaded()) { RecordForBackward = false };
        float[] expected = plain.Eval().Forward(x, ctx).Span.ToArray();
        ctx.BeginStep();
        CollectionAssert.AreEqual(expected, withAux.Eval().Forward(x, ctx).Span.ToArray());
        Assert.AreEqual(ModelSummary.Create(plain, 1, 1, 224, 224).TotalMultiplyAdds, ModelSummary.Create(withAux, 1, 1, 224, 224).TotalMultiplyAdds,
            "the heads add nothing to inference");

        withAux.Train();
        ctx.BeginStep();
        withAux.Forward(x, ctx);
        foreach (var (_, head) in heads) CollectionAssert.AreEqual(new[] { 2, 5 }, ((IAuxiliaryClassifier)head).Logits(ctx)!.Shape.ToArray());
    }
}
