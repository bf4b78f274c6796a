using MlPipelines.Engine;
using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Nn;
using MlPipelines.Trainers.Onnx;
using MlPipelines.Trainers.Onnx.Proto;
using static MlPipelines.Trainers.Tests.OnnxImport.OnnxGraphs;

namespace MlPipelines.Trainers.Tests.OnnxImport;

/// <summary>
/// Gemm and MatMul nodes run on the engine's SGEMM: every transpose combination, alpha and beta, the bias shapes Gemm
/// broadcasts and MatMul's broadcast batches, forward and both gradients, against plain double-precision sums.
/// </summary>
[TestClass]
public sealed class OnnxMatMulTests
{
    [TestMethod]
    public void Gemm_EveryTransposeAndBias_MatchesPlainSums_ForwardAndGradients()
    {
        const int m = 5, k = 7, n = 19;
        const float alpha = 0.7f, beta = 1.3f;
        int seed = 1;
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                foreach (int[]? cShape in new[] { null, new[] { n }, new[] { m, 1 }, new[] { 1, n } })
                {
                    string what = $"transA {ta}, transB {tb}, C {(cShape is null ? "none" : string.Join("x", cShape))}";
                    float[] a = Values(m * k, seed++), b = Values(k * n, seed++), c = cShape is null ? [] : Values(cShape.Aggregate(1, (p, d) => p * d), seed++);
                    string[] inputs = cShape is null ? ["x", "w"] : ["x", "w", "c"];
                    var model = OnnxGraphs.Model(13, Node("Gemm", "gemm", inputs, ["y"], Int("transA", ta ? 1 : 0), Int("transB", tb ? 1 : 0), Float("alpha", alpha), Float("beta", beta)));
                    model.Graph.Initializer.Add(Floats("w", b, tb ? [n, k] : [k, n]));
                    if (cShape is not null) model.Graph.Initializer.Add(Floats("c", c, [.. cShape.Select(d => (long)d)]));
                    OnnxGraphModule graph = Load(model);
                    graph.Train();

                    // op(A)[i, p] and op(B)[p, j] as stored.
                    double A(int i, int p) => ta ? a[p * m + i] : a[i * k + p];
                    double B(int p, int j) => tb ? b[j * k + p] : b[p * n + j];
                    double C(int i, int j) => cShape is null ? 0 : cShape is [m, 1] ? c[i] : c[j];

                    var ctx = new StepContext(new ComputeConfig { DegreeOfParallelism = 2 });
                    Tensor y = graph.Forward(new Tensor(a, ta ? [k, m] : [m, k]), ctx);
                    for (int i = 0; i < m; i++)
                        for (int j = 0; j < n; j++)
                        {
                            double s = 0;
                            for (int p = 0; p < k; p++) s += A(i, p) * B(p, j);
                            Assert.AreEqual(alpha * s + beta * C(i, j), y.Span[i * n + j], 1e-5, $"{what}: y[{i}, {j}]");
                        }

                    float[] dy = Values(m * n, seed++);
                    graph.ZeroGrad();
                    Tensor dx = graph.Backward(new Tensor(dy, [m, n]), ctx);
                    Parameter w = graph.NamedParameters().Single(p => p.Name.EndsWith('w')).Value;
                    for (int i = 0; i < m; i++)
                        for (int p = 0; p < k; p++)
                        {
                            double s = 0;
                            for (int j = 0; j < n; j++) s += alpha * dy[i * n + j] * B(p, j);
                            Assert.AreEqual(s, dx.Span[ta ? p * m + i : i * k + p], 1e-5, $"{what}: dA[{i}, {p}]");
                        }
                    for (int p = 0; p < k; p++)
                        for (int j = 0; j < n; j++)
                        {
                            double s = 0;
                            for (int i = 0; i < m; i++) s += alpha * A(i, p) * dy[i * n + j];
                            Assert.AreEqual(s, w.Grad.Span[tb ? j * k + p : p * n + j], 1e-5, $"{what}: dB[{p}, {j}]");
                        }
                }
    }

    [TestMethod]
    public void MatMul_BroadcastBatches_MatchPlainSums_ForwardAndGradients()
    {
        // x [2, 1, 4, 5] times w [3, 5, 6]: batches broadcast to [2, 3]; each w slice's gradient sums over both x batches.
        const int m = 4, k = 5, n = 6;
        float[] a = Values(2 * m * k, 11), b = Values(3 * k * n, 12), dy = Values(2 * 3 * m * n, 13);
        var model = OnnxGraphs.Model(13, Node("MatMul", "mm", ["x", "w"], ["y"]));
        model.Graph.Initializer.Add(Floats("w", b, 3, k, n));
        OnnxGraphModule graph = Load(model);
        graph.Train();
        var ctx = new StepContext(new ComputeConfig { DegreeOfParallelism = 2 });
        Tensor y = graph.Forward(new Tensor(a, [2, 1, m, k]), ctx);
        CollectionAssert.AreEqual(new[] { 2, 3, m, n }, y.Shape.ToArray());
        var dA = new double[a.Length];
        var dB = new double[b.Length];
        for (int u = 0; u < 2; u++)
            for (int v = 0; v < 3; v++)
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++)
                    {
                        int at = u * m * k + i * k, bt = v * k * n + j, yt = ((u * 3 + v) * m + i) * n + j;
                        double s = 0;
                        for (int p = 0; p < k; p++)
                        {
                            s += (double)a[at + p] * b[bt + p * n];
                            dA[at + p] += (double)dy[yt] * b[bt + p * n];
                            dB[bt + p * n] += (double)dy[yt] * a[at + p];
                        }
                        Assert.AreEqual(s, y.Span[yt], 1e-5, $"y[{u}, {v}, {i}, {j}]");
                    }
        graph.ZeroGrad();
        Tensor dx = graph.Backward(new Tensor(dy, [2, 3, m, n]), ctx);
        Parameter w = graph.NamedParameters().Single(p => p.Name.EndsWith('w')).Value;
        for (int i = 0; i < a.Length; i++) Assert.AreEqual(dA[i], dx.Span[i], 1e-5, $"dA[{i}]");
        for (int i = 0; i < b.Length; i++) Assert.AreEqual(dB[i], w.Grad.Span[i], 1e-5, $"dB[{i}]");
    }

    private static float[] Values(int count, int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)(rng.NextDouble() * 2 - 1))];
    }

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };
}
