using MlPipelines.Engine.Nn;
using MlPipelines.Engine.Optim;
using MlPipelines.Engine.Tests.Golden;

namespace MlPipelines.Engine.Tests.Optim;

[TestClass]
public sealed class OptimizerTests
{
    private static readonly GoldenFile File = GoldenFile.Load("optim.json");

    private static Optimizer Make(string name, Parameter[] ps) => name switch
    {
        "sgd" => new Sgd(ps, new SgdOptions { LearningRate = 0.1 }),
        "sgd_momentum" => new Sgd(ps, new SgdOptions { LearningRate = 0.1, Momentum = 0.9, Dampening = 0.1 }),
        "sgd_nesterov_wd" => new Sgd(ps, new SgdOptions { LearningRate = 0.05, Momentum = 0.9, Nesterov = true, WeightDecay = 0.01 }),
        "adam" => new Adam(ps, new AdamOptions { LearningRate = 0.01, WeightDecay = 0.1 }),
        "adam_amsgrad" => new Adam(ps, new AdamOptions { LearningRate = 0.01, Amsgrad = true }),
        "adamw" => new AdamW(ps, new AdamOptions { LearningRate = 0.01, WeightDecay = 0.1 }),
        "rmsprop" => new RmsProp(ps, new RmsPropOptions { LearningRate = 0.01, WeightDecay = 0.01 }),
        "rmsprop_centered_momentum" => new RmsProp(ps, new RmsPropOptions { LearningRate = 0.01, Momentum = 0.9, Centered = true }),
        _ => throw new ArgumentException(name),
    };

    [TestMethod]
    public void Trajectories_MatchPyTorch()
    {
        foreach (var c in File.Cases.Where(c => c.Name.StartsWith("opt_", StringComparison.Ordinal)))
        {
            var a = new Parameter(new Tensor((float[])c["p0"].Data.Clone(), 3, 4));
            var b = new Parameter(new Tensor((float[])c["p1"].Data.Clone(), 5));
            var opt = Make(c.Name[4..], [a, b]);
            for (int step = 0; step < 6; step++)
            {
                c["g0"].Data.AsSpan(step * 12, 12).CopyTo(a.Grad.Span);
                c["g1"].Data.AsSpan(step * 5, 5).CopyTo(b.Grad.Span);
                opt.Step();
                for (int i = 0; i < 12; i++) Assert.AreEqual(c["a"].Data[step * 12 + i], a.Value.Span[i], 2e-5 * (1 + Math.Abs(c["a"].Data[step * 12 + i])), $"{c.Name} step {step} a[{i}]");
                for (int i = 0; i < 5; i++) Assert.AreEqual(c["b"].Data[step * 5 + i], b.Value.Span[i], 2e-5 * (1 + Math.Abs(c["b"].Data[step * 5 + i])), $"{c.Name} step {step} b[{i}]");
            }
        }
    }

    [TestMethod]
    public void Schedules_MatchPyTorch()
    {
        foreach (var c in File.Cases.Where(c => c.Name.StartsWith("sched_", StringComparison.Ordinal)))
        {
            var w = new Parameter(new Tensor(1));
            var opt = new Sgd([w], new SgdOptions { LearningRate = 0.1, Momentum = 0.9 });
            string kind = c.Name[6..];
            float[] metric = [1.0f, 0.9f, 0.9f, 0.95f, 0.92f, 0.91f, 0.905f, 0.95f, 0.96f, 0.97f];
            LearningRateSchedule? s = kind switch
            {
                "step" => new StepSchedule(opt, 7, 0.5),
                "multistep" => new MultiStepSchedule(opt, [5, 12, 20], 0.3),
                "exponential" => new ExponentialSchedule(opt, 0.9),
                "cosine" => new CosineSchedule(opt, 30, 0, 0.001 / 0.1),
                "onecycle" => new OneCycleSchedule(opt, 30),
                _ => null,
            };
            var plateau = kind == "plateau" ? new ReduceOnPlateau(opt, factor: 0.5, patience: 2, cooldown: 1) : null;
            for (int i = 0; i < 30; i++)
            {
                Assert.AreEqual(c["lr"].Data[i], opt.Groups[0].LearningRate, 1e-7 + 1e-5 * c["lr"].Data[i], $"{kind} lr at {i}");
                Assert.AreEqual(c["momentum"].Data[i], opt.Groups[0].Momentum!.Value, 1e-6, $"{kind} momentum at {i}");
                if (s is not null) s.Step();
                else plateau!.Report(metric[i % 10]);
            }
        }
    }

    [TestMethod]
    public void OneCycle_WithAWarmUpShorterThanAStep_StaysFinite_AndStartsAtThePeak()
    {
        // 4 steps at pct_start 0.25 leave a warm-up of 0 steps (0.25 x 4 - 1): the first step runs at the peak rate.
        var opt = new Sgd([new Parameter(new Tensor(1))], new SgdOptions { LearningRate = 0.1, Momentum = 0.9 });
        var schedule = new OneCycleSchedule(opt, 4, pctStart: 0.25);
        var rates = new List<double>();
        for (int i = 0; i < 4; i++)
        {
            rates.Add(opt.Groups[0].LearningRate);
            Assert.IsTrue(double.IsFinite(opt.Groups[0].Momentum!.Value), $"momentum at {i}");
            schedule.Step();
        }
        Assert.AreEqual(0.1, rates[0], 1e-12);
        Assert.IsTrue(rates.All(double.IsFinite) && rates.Zip(rates.Skip(1)).All(p => p.Second < p.First), string.Join(", ", rates));
    }

    [TestMethod]
    public void ExportImport_ResumesBitForBit()
    {
        foreach (string name in new[] { "sgd_momentum", "adam_amsgrad", "adamw", "rmsprop_centered_momentum" })
        {
            var rng = new Random(3);
            float[] g = Enumerable.Range(0, 200).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
            var full = new Parameter(new Tensor(Enumerable.Range(0, 20).Select(i => i * 0.1f).ToArray(), 20));
            var optFull = Make(name, [full]);
            var half = new Parameter(full.Value.Clone());
            var optHalf = Make(name, [half]);
            for (int s = 0; s < 10; s++)
            {
                g.AsSpan(s * 20, 20).CopyTo(full.Grad.Span);
                optFull.Step();
                if (s == 4)
                {
                    // Checkpoint after five steps: a fresh optimizer resumes from the exported state.
                    var state = optHalf.ExportState();
                    optHalf = Make(name, [half]);
                    optHalf.ImportState(state);
                }
                g.AsSpan(s * 20, 20).CopyTo(half.Grad.Span);
                optHalf.Step();
            }
            CollectionAssert.AreEqual(full.Value.Span.ToArray(), half.Value.Span.ToArray(), name);
        }
    }

    [TestMethod]
    public void FrozenParameters_AreUntouched_AndNoDecayIsHonoured()
    {
        var frozen = new Parameter(new Tensor([1f, 2f], 2)) { RequiresGrad = false };
        var noDecay = new Parameter(new Tensor([1f, 2f], 2)) { ApplyWeightDecay = false };
        frozen.Grad.Fill(1);
        var opt = new Sgd([frozen, noDecay], new SgdOptions { LearningRate = 0.5, WeightDecay = 10 });
        opt.Step();
        CollectionAssert.AreEqual(new[] { 1f, 2f }, frozen.Value.Span.ToArray());
        CollectionAssert.AreEqual(new[] { 1f, 2f }, noDecay.Value.Span.ToArray()); // zero gradient, no decay: unchanged
        Assert.AreEqual(0, opt.ExportState().Buffers.Count);
    }

    [TestMethod]
    public void ClipNorm_ScalesToTheMaximum_AndReportsDivergence()
    {
        var a = new Parameter(new Tensor(2));
        var b = new Parameter(new Tensor(1));
        a.Grad.Span[0] = 3;
        a.Grad.Span[1] = 0;
        b.Grad.Span[0] = 4;
        double norm = GradientClipping.ClipNorm([a, b], 1.0);
        Assert.AreEqual(5.0, norm, 1e-9);
        Assert.AreEqual(0.6f, a.Grad.Span[0], 1e-5f);
        Assert.AreEqual(0.8f, b.Grad.Span[0], 1e-5f);
        Assert.AreEqual(4.0, GradientClipping.ClipNorm([a, b], 10, double.PositiveInfinity) * 5, 1e-5 * 5 + 0.01);
        b.Grad.Span[0] = float.NaN;
        Assert.IsTrue(double.IsNaN(GradientClipping.ClipNorm([a, b], 1)));
        GradientClipping.ClipValue([a], 0.1f);
        Assert.AreEqual(0.1f, a.Grad.Span[0]);
    }

    [TestMethod]
    public void CosineWarmup_RisesThenFalls()
    {
        var w = new Parameter(new Tensor(1));
        var opt = new Sgd([w], new SgdOptions { LearningRate = 1 });
        var s = new CosineSchedule(opt, 10, 4);
        var lrs = new List<double>();
        for (int i = 0; i < 10; i++)
        {
            lrs.Add(opt.Groups[0].LearningRate);
            s.Step();
        }
        CollectionAssert.AreEqual(new[] { 0.25, 0.5, 0.75, 1.0 }, lrs.Take(4).ToArray());
        Assert.IsTrue(lrs.Skip(4).Zip(lrs.Skip(5)).All(p => p.Second < p.First));
        s.Restore(2);
        Assert.AreEqual(0.75, opt.Groups[0].LearningRate, 1e-12);
    }
}
