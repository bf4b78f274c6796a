using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Nn;
using MlPipelines.Engine.Nn.Layers;
using MlPipelines.Engine.Optim;

namespace MlPipelines.Engine.Tests.Nn;

/// <summary>
/// In inference a convolution keeps its weight packed for the GEMM across calls, valid while the weight's buffer has
/// seen no writable access (<see cref="Tensor.WriteVersion"/>). Every way of changing a weight must reach the output: a
/// stale pack would be a silently wrong model.
/// </summary>
[TestClass]
public sealed class PackedWeightTests
{
    [TestMethod]
    public void WriteVersion_CountsEveryWritableAccess_ThroughAnyView()
    {
        var t = new Tensor(2, 3);
        long v0 = t.WriteVersion!.Value;
        _ = t.Values[1];
        _ = t[1, 2];
        _ = t.Clone();
        Assert.AreEqual(v0, t.WriteVersion, "reads are not writes");

        _ = t.Span;
        long v1 = t.WriteVersion!.Value;
        Assert.AreNotEqual(v0, v1, "Span");
        t[0, 1] = 5;
        long v2 = t.WriteVersion!.Value;
        Assert.AreNotEqual(v1, v2, "indexer");
        t.Reshape(6).Span[4] = 1;
        Assert.AreNotEqual(v2, t.WriteVersion, "a view's Span counts for the buffer it shares");
        var before = t.WriteVersion;
        t.Fill(2);
        Assert.AreNotEqual(before, t.WriteVersion, "Fill");

        Assert.IsNull(new Tensor(new float[6], 2, 3).WriteVersion, "an array its creator kept cannot be tracked");
        Assert.IsNull(new Tensor(new float[6], 2, 3).Reshape(6).WriteVersion, "nor a view of one");
        Assert.IsNotNull(Tensor.Adopt(new float[6], 2, 3).WriteVersion, "an adopted array can");
    }

    /// <summary>A 3x3 layer at batch 1 on a 4x4 map (the unfolded route) and a pointwise one: both read packed weights.</summary>
    private static IEnumerable<(Conv2d Layer, Tensor Input)> Layers()
    {
        var rng = new SeededRandom(5);
        foreach (var (layer, c, size) in new[] { (new Conv2d(24, 40, 3, padding: 1, init: rng), 24, 4), (new Conv2d(16, 24, 1, init: rng), 16, 9) })
        {
            var x = new Tensor(1, c, size, size);
            for (int i = 0; i < x.Length; i++) x.Span[i] = rng.NextNormal();
            yield return (layer, x);
        }
    }

    private static float[] Infer(Module layer, Tensor x) =>
        layer.Forward(x, new StepContext(new ComputeConfig { DegreeOfParallelism = 2 }) { RecordForBackward = false }).Values.ToArray();

    /// <summary>The same layer run as in training (which never reads packed weights): the bits inference must give.</summary>
    private static float[] Recorded(Module layer, Tensor x) =>
        layer.Forward(x, new StepContext(new ComputeConfig { DegreeOfParallelism = 2 })).Values.ToArray();

    [TestMethod]
    public void EveryWayOfChangingTheWeight_ReachesTheNextInference()
    {
        foreach (var (layer, x) in Layers())
        {
            var changes = new (string How, Action Change)[]
            {
                ("Span", () => layer.Weight.Value.Span[3] += 1),
                ("indexer", () => layer.Weight.Value[1, 2, 0, 0] = -2),
                ("a reshaped view", () => layer.Weight.Value.Reshape(-1).Span[7] *= 3),
                ("Fill", () => layer.Weight.Value.Fill(0.01f)),
                ("an optimizer step", () =>
                {
                    layer.Weight.Grad.Fill(0.5f);
                    new Sgd(layer.Parameters(), new SgdOptions { LearningRate = 0.1 }).Step();
                }),
                ("LoadStateDict", () => layer.LoadStateDict(new Conv2d(layer.InChannels, layer.OutChannels, layer.Kernel.H, padding: layer.Padding.Top,
                    init: new SeededRandom(99)).StateDict())),
            };
            float[] last = Infer(layer, x);
            CollectionAssert.AreEqual(Recorded(layer, x), last, "first inference");
            foreach (var (how, change) in changes)
            {
                change();
                float[] now = Infer(layer, x);
                CollectionAssert.AreEqual(Recorded(layer, x), now, $"after a change through {how}");
                CollectionAssert.AreNotEqual(last, now, $"the change through {how} moved the output");
                last = now;
            }
        }
    }

    [TestMethod]
    public void UnchangedWeights_ArePackedOnce()
    {
        // A write that bypasses the tensor (its buffer itself) is invisible to the version: the next inference still reads
        // the panels packed before it, which shows they are kept; any tracked access then repacks.
        foreach (var (layer, x) in Layers())
        {
            float[] first = Infer(layer, x);
            layer.Weight.Value.Storage.Buffer[layer.Weight.Value.Storage.Offset] += 5;
            CollectionAssert.AreEqual(first, Infer(layer, x), "the kept panels");
            _ = layer.Weight.Value.Span;
            CollectionAssert.AreNotEqual(first, Infer(layer, x), "repacked after a writable access");
            CollectionAssert.AreEqual(Recorded(layer, x), Infer(layer, x));
        }
    }

    [TestMethod]
    public void AWrappedArray_IsNeverPacked()
    {
        // A layer over an array its creator kept and writes directly: every inference reads the array as it is.
        var rng = new SeededRandom(6);
        var w = new float[16 * 8 * 9];
        for (int i = 0; i < w.Length; i++) w[i] = rng.NextNormal();
        var layer = Conv2d.Sharing(new Tensor(w, 16, 8, 3, 3), null, (1, 1), Padding2d.All(1), (1, 1));
        var x = new Tensor(1, 8, 4, 4);
        for (int i = 0; i < x.Length; i++) x.Span[i] = rng.NextNormal();
        float[] first = Infer(layer, x);
        w[10] += 3;
        float[] second = Infer(layer, x);
        CollectionAssert.AreNotEqual(first, second);
        CollectionAssert.AreEqual(Recorded(layer, x), second);
    }
}
