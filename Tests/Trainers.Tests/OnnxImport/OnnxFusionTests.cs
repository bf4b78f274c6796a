using MlPipelines.Engine;
using MlPipelines.Engine.Nn;
using MlPipelines.Trainers.Onnx;
using MlPipelines.Trainers.Onnx.Proto;
using static MlPipelines.Trainers.Tests.OnnxImport.OnnxGraphs;

namespace MlPipelines.Trainers.Tests.OnnxImport;

/// <summary>
/// Inference fuses a Conv's activation as PyTorch exports it (Relu, Clip(0, 6) behind its Constant bounds, Sigmoid and
/// Mul for SiLU) and runs it node by node otherwise; elementwise arithmetic takes its vector path for equal shapes and
/// block-wise broadcasts. Each is checked against the node-by-node run and against a scalar reference.
/// </summary>
[TestClass]
public sealed class OnnxFusionTests
{
    private static readonly int[] InputShape = [2, 3, 6, 5];

    private static float[] RandomValues(int count, int seed, float scale)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale)];
    }

    /// <summary>x [2, 3, 6, 5] -> Conv 3x3 pad 1 (4 channels, bias) -> "c", then <paramref name="after"/>; weights large enough to pass 6.</summary>
    private static ModelProto ConvThen(params NodeProto[] after)
    {
        var conv = Node("Conv", "conv", ["x", "w", "b"], ["c"],
            Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1));
        var model = OnnxGraphs.Model(13, [conv, .. after]);
        model.Graph.Initializer.Add(Floats("w", RandomValues(4 * 3 * 9, 1, 1.5f), 4, 3, 3, 3));
        model.Graph.Initializer.Add(Floats("b", RandomValues(4, 2, 0.5f), 4));
        return model;
    }

    private static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    /// <summary>The output fused (pure inference) and node by node (a step that records for backward runs every node alone).</summary>
    private static (float[] Fused, float[] Layered, int FusedNodes) RunBothWays(ModelProto model)
    {
        OnnxGraphModule graph = Load(model);
        graph.Eval();
        var x = new Tensor(RandomValues(2 * 3 * 6 * 5, 3, 2f), InputShape);
        float[] fused = graph.Forward(x, new StepContext { RecordForBackward = false }).Span.ToArray();
        float[] layered = graph.Forward(x, new StepContext { RecordForBackward = true }).Span.ToArray();
        return (fused, layered, graph.FusedNodes);
    }

    [TestMethod]
    public void ConvClip06_BehindItsConstantBounds_RunsFusedAsRelu6()
    {
        var (fused, layered, fusedNodes) = RunBothWays(ConvThen(Constant("lo", 0), Constant("hi", 6), Node("Clip", "clip", ["c", "lo", "hi"], ["y"])));
        Assert.AreEqual(3, fusedNodes, "the two Constants and the Clip run inside the convolution");
        CollectionAssert.AreEqual(layered, fused, "ReLU6 in the epilogue gives the Clip's bits");
        Assert.IsTrue(fused.Any(v => v == 6f) && fused.Any(v => v == 0f) && fused.Any(v => v is > 0f and < 6f), "the data reaches both bounds and the middle");
    }

    [TestMethod]
    public void ConvClip_WithOtherBounds_ClipsAfterTheFusedConvolution()
    {
        var (fused, layered, fusedNodes) = RunBothWays(ConvThen(Constant("lo", -0.5f), Constant("hi", 0.5f), Node("Clip", "clip", ["c", "lo", "hi"], ["y"])));
        Assert.AreEqual(3, fusedNodes);
        CollectionAssert.AreEqual(layered, fused);
        Assert.AreEqual(0.5f, fused.Max());
        Assert.AreEqual(-0.5f, fused.Min());
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void ConvSigmoidMul_RunsFusedAsSilu(bool sigmoidFirst)
    {
        string[] factors = sigmoidFirst ? ["s", "c"] : ["c", "s"];
        var (fused, layered, fusedNodes) = RunBothWays(ConvThen(Node("Sigmoid", "sig", ["c"], ["s"]), Node("Mul", "mul", factors, ["y"])));
        Assert.AreEqual(2, fusedNodes, "Sigmoid and Mul run inside the convolution as SiLU");
        for (int i = 0; i < fused.Length; i++)
            Assert.AreEqual(layered[i], fused[i], 1e-6 * Math.Max(1, Math.Abs(layered[i])), $"value {i}");
        Assert.IsTrue(fused.Any(v => v < -0.1f) && fused.Any(v => v > 1f), "SiLU's negative dip and its linear side both occur");
    }

    [TestMethod]
    [DataRow("Relu")]
    [DataRow("Sigmoid")]
    [DataRow("Tanh")]
    [DataRow("LeakyRelu")]
    public void ConvActivation_RunsFused(string activation)
    {
        var (fused, layered, fusedNodes) = RunBothWays(ConvThen(Node(activation, "act", ["c"], ["y"])));
        Assert.AreEqual(1, fusedNodes);
        for (int i = 0; i < fused.Length; i++)
            Assert.AreEqual(layered[i], fused[i], 1e-6 * Math.Max(1, Math.Abs(layered[i])), $"{activation} value {i}");
        // Against the function applied to the convolution's own output (a graph of the Conv alone).
        var convOnly = ConvThen();
        convOnly.Graph.Node[0].Output[0] = "y";
        float[] c = RunBothWays(convOnly).Layered;
        Func<float, double> f = activation switch
        {
            "Relu" => v => Math.Max(v, 0),
            "Sigmoid" => v => 1 / (1 + Math.Exp(-v)),
            "Tanh" => v => Math.Tanh(v),
            _ => v => v >= 0 ? v : 0.01 * v,
        };
        for (int i = 0; i < c.Length; i++) Assert.AreEqual(f(c[i]), fused[i], 2e-6 * Math.Max(1, Math.Abs(c[i])), $"{activation}({c[i]})");
        Assert.IsTrue(c.Any(v => v < -1) && c.Any(v => v > 1), "inputs on both sides of zero");
    }

    /// <summary>x [2, 3, 6, 5] -> Conv 3x3 pad 1 keeping 3 channels (bias) -> "c", then <paramref name="after"/>: x can be the residual.</summary>
    private static ModelProto SameShapeConvThen(params NodeProto[] after)
    {
        var conv = Node("Conv", "conv", ["x", "w", "b"], ["c"], Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1));
        var model = OnnxGraphs.Model(13, [conv, .. after]);
        model.Graph.Initializer.Add(Floats("w", RandomValues(3 * 3 * 9, 4, 1.5f), 3, 3, 3, 3));
        model.Graph.Initializer.Add(Floats("b", RandomValues(3, 5, 0.5f), 3));
        model.Graph.Initializer.Add(Floats("per_channel", RandomValues(3, 6, 2f), 3, 1, 1));
        return model;
    }

    [TestMethod]
    [DataRow(true, true)]
    [DataRow(false, true)]
    [DataRow(true, false)]
    public void ConvAddRelu_AResidualBlockEnd_RunsFused(bool convFirst, bool relu)
    {
        // The Add's other operand is the graph's input (computed before the convolution), on either side of the Add.
        string[] terms = convFirst ? ["c", "x"] : ["x", "c"];
        NodeProto[] after = relu
            ? [Node("Add", "add", terms, ["s"]), Node("Relu", "relu", ["s"], ["y"])]
            : [Node("Add", "add", terms, ["y"])];
        var (fused, layered, fusedNodes) = RunBothWays(SameShapeConvThen(after));
        Assert.AreEqual(relu ? 2 : 1, fusedNodes, "the Add (and its Relu) run inside the convolution");
        CollectionAssert.AreEqual(layered, fused, "the residual sum in the epilogue gives the nodes' bits");
        if (relu) Assert.IsTrue(fused.Any(v => v == 0f) && fused.Any(v => v > 1f), "the ReLU clips some sums and passes others");
        else Assert.IsTrue(fused.Any(v => v < -1f), "no ReLU: negative sums stay");
    }

    [TestMethod]
    public void ConvAdd_OfABroadcastOperand_AddsAfterTheFusedConvolution()
    {
        var (fused, layered, fusedNodes) = RunBothWays(SameShapeConvThen(Node("Add", "add", ["c", "per_channel"], ["s"]), Node("Relu", "relu", ["s"], ["y"])));
        Assert.AreEqual(2, fusedNodes, "planned as a residual sum");
        CollectionAssert.AreEqual(layered, fused, "a [3, 1, 1] operand is broadcast by the Add node itself");
    }

    [TestMethod]
    public void ConvSigmoid_WhoseSigmoidIsAlsoReadElsewhere_RunsNodeByNode()
    {
        var (fused, layered, fusedNodes) = RunBothWays(ConvThen(Node("Sigmoid", "sig", ["c"], ["s"]), Node("Mul", "mul", ["c", "s"], ["m"]),
            Node("Add", "add", ["m", "s"], ["y"])));
        Assert.AreEqual(0, fusedNodes, "the sigmoid's value is needed by the Add too");
        CollectionAssert.AreEqual(layered, fused);
    }

    public static IEnumerable<object[]> BroadcastCases =>
    [
        [new[] { 2, 3, 4, 5 }, new[] { 2, 3, 4, 5 }],
        [new[] { 2, 3, 4, 5 }, new[] { 2, 3, 1, 1 }],
        [new[] { 2, 3, 4, 5 }, new[] { 3, 1, 1 }],
        [new[] { 2, 3, 4, 5 }, new[] { 1 }],
        [new[] { 2, 3, 4, 5 }, Array.Empty<int>()],
        [new[] { 2, 3, 4, 5 }, new[] { 4, 5 }],
        [new[] { 6, 7 }, new[] { 7 }],
        [new[] { 2, 3, 4, 5 }, new[] { 2, 1, 4, 5 }], // a 1 in the middle: the element-by-element path
        [new[] { 2, 3, 4, 5 }, new[] { 3, 4, 1 }],
    ];

    [TestMethod]
    [DynamicData(nameof(BroadcastCases))]
    public void Arithmetic_WithEitherOperandBroadcast_MatchesAScalarReference(int[] full, int[] small)
    {
        foreach (string op in new[] { "Add", "Sub", "Mul", "Div" })
            foreach (bool smallFirst in new[] { false, true })
            {
                string[] inputs = smallFirst ? ["k", "x"] : ["x", "k"];
                var model = OnnxGraphs.Model(13, Node(op, "op", inputs, ["y"]));
                int smallCount = small.Aggregate(1, (a, b) => a * b);
                float[] k = RandomValues(smallCount, 5, 3f).Select(v => v == 0 ? 0.25f : v).ToArray();
                model.Graph.Initializer.Add(Floats("k", k, [.. small.Select(d => (long)d)]));
                OnnxGraphModule graph = Load(model);
                graph.Eval();
                float[] x = RandomValues(full.Aggregate(1, (a, b) => a * b), 6, 3f);
                float[] y = graph.Forward(new Tensor(x, full), new StepContext { RecordForBackward = false }).Span.ToArray();
                int[] strides = new int[full.Length];
                for (int d = full.Length - 1, s = 1; d >= 0; d--) { strides[d] = s; s *= full[d]; }
                for (int i = 0; i < x.Length; i++)
                {
                    // The small operand's element for output i: its own dimensions right-aligned, size-1 ones pinned to 0.
                    int j = 0;
                    for (int d = full.Length - small.Length; d < full.Length; d++)
                    {
                        int size = small[d - (full.Length - small.Length)];
                        j = j * size + (size == 1 ? 0 : i / strides[d] % full[d]);
                    }
                    float a = smallFirst ? k[j] : x[i], b = smallFirst ? x[i] : k[j];
                    float expected = op switch { "Add" => a + b, "Sub" => a - b, "Mul" => a * b, _ => a / b };
                    Assert.AreEqual(expected, y[i], $"{op} [{string.Join(",", full)}] with [{string.Join(",", small)}] (small first: {smallFirst}), element {i}");
                }
            }
    }
}
