using MlPipelines.Engine;
using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Nn;
using MlPipelines.Trainers.Onnx;
using MlPipelines.Trainers.Onnx.Import;
using MlPipelines.Trainers.Onnx.Proto;

namespace MlPipelines.Trainers.Tests.OnnxImport;

/// <summary>
/// ONNX's own backend node cases (Debian libonnx-testdata, installed by test.sh): every case whose ops are all supported
/// runs through the importer and matches the expected outputs within rtol 1e-3, atol 1e-7. A missing data folder fails.
/// </summary>
[TestClass]
public sealed class OnnxNodeConformanceTests
{
    private const string NodeFolder = "/usr/share/libonnx-testdata/data/node";

    /// <summary>Cases of supported ops that are not run, with the reason.</summary>
    private static readonly Dictionary<string, string> Excluded = new(StringComparer.Ordinal)
    {
        ["test_dropout_random_old"] = "random dropout in training mode (the importer's dropout is the identity)",
        ["test_training_dropout"] = "random dropout in training mode",
        ["test_training_dropout_default"] = "random dropout in training mode",
        ["test_training_dropout_default_mask"] = "random dropout in training mode",
        ["test_training_dropout_mask"] = "random dropout in training mode",
        ["test_training_dropout_zero_ratio_mask"] = "dropout mask is a bool output of a training-mode dropout",
        ["test_batchnorm_epsilon_training_mode"] = "training_mode outputs (running mean/var) are not supported",
        ["test_batchnorm_example_training_mode"] = "training_mode outputs (running mean/var) are not supported",
        ["test_maxpool_with_argmax_2d_precomputed_pads"] = "MaxPool Indices output is not supported",
        ["test_maxpool_with_argmax_2d_precomputed_strides"] = "MaxPool Indices output is not supported",
        ["test_averagepool_3d_default"] = "3-D pooling: pools cover 1-D and 2-D spatial inputs",
        ["test_maxpool_3d_default"] = "3-D pooling: pools cover 1-D and 2-D spatial inputs",
        ["test_convtranspose_3d"] = "3-D transposed convolution: 1-D and 2-D are supported",
        ["test_resize_downsample_scales_cubic"] = "Resize cubic mode is not supported (nearest and linear are)",
        ["test_resize_downsample_scales_cubic_A_n0p5_exclude_outside"] = "Resize cubic mode is not supported",
        ["test_resize_downsample_scales_cubic_align_corners"] = "Resize cubic mode is not supported",
        ["test_resize_downsample_sizes_cubic"] = "Resize cubic mode is not supported",
        ["test_resize_upsample_scales_cubic"] = "Resize cubic mode is not supported",
        ["test_resize_upsample_scales_cubic_A_n0p5_exclude_outside"] = "Resize cubic mode is not supported",
        ["test_resize_upsample_scales_cubic_align_corners"] = "Resize cubic mode is not supported",
        ["test_resize_upsample_scales_cubic_asymmetric"] = "Resize cubic mode is not supported",
        ["test_resize_upsample_sizes_cubic"] = "Resize cubic mode is not supported",
        ["test_resize_tf_crop_and_resize"] = "Resize tf_crop_and_resize (roi) is not supported",
    };

    /// <summary>Case folders whose every op is supported (or one sentinel row when the data is missing, so the test fails rather than vanishes).</summary>
    public static IEnumerable<object[]> Cases()
    {
        if (!Directory.Exists(NodeFolder))
        {
            yield return ["missing:libonnx-testdata"];
            yield break;
        }
        foreach (string dir in Directory.GetDirectories(NodeFolder).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(dir);
            if (Excluded.ContainsKey(name) || !File.Exists(Path.Combine(dir, "model.onnx"))) continue;
            ModelProto model;
            try { model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(dir, "model.onnx"))); }
            catch (Google.Protobuf.InvalidProtocolBufferException) { continue; }
            if (model.Graph.Node.All(n => OnnxImporter.SupportedOps.Contains(n.OpType) && n.Domain is "" or "ai.onnx")
                && AllTensorsFloatOrInt(model))
                yield return [name];
        }
    }

    /// <summary>Cases in float, or integers used as shapes/indices; string, double-precision and 8/16-bit cases are out of scope (float engine).</summary>
    private static bool AllTensorsFloatOrInt(ModelProto model)
    {
        static bool Ok(ValueInfoProto v) => v.Type?.TensorType is { } t && t.ElemType is 1 or 6 or 7 or 9;
        return model.Graph.Input.All(Ok) && model.Graph.Output.All(Ok);
    }

    [TestMethod]
    public void NodeCases_AreFoundAndNumerous()
    {
        Assert.IsTrue(Directory.Exists(NodeFolder), $"{NodeFolder} is missing: install the Debian package libonnx-testdata (test.sh does).");
        int count = Cases().Count();
        Assert.IsGreaterThanOrEqualTo(250, count, $"Only {count} supported node cases were found.");
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void NodeCase_MatchesExpectedOutputs(string name)
    {
        Assert.IsTrue(Directory.Exists(NodeFolder), $"{NodeFolder} is missing: install the Debian package libonnx-testdata (test.sh does).");
        string dir = Path.Combine(NodeFolder, name);
        OnnxGraphModule graph = OnnxImporter.Load(Path.Combine(dir, "model.onnx"));
        graph.Eval();
        var options = new OnnxImportOptions();
        foreach (string set in Directory.GetDirectories(dir, "test_data_set_*"))
        {
            Tensor[] inputs = [.. Enumerable.Range(0, graph.InputNames.Count).Select(i => OnnxTensorReader.ReadSerialized(File.ReadAllBytes(Path.Combine(set, $"input_{i}.pb")), options))];
            var ctx = new StepContext() { RecordForBackward = false };
            IReadOnlyList<Tensor> outputs = graph.Run(inputs, ctx);
            for (int o = 0; o < outputs.Count; o++)
            {
                string file = Path.Combine(set, $"output_{o}.pb");
                if (!File.Exists(file)) continue;
                Tensor expected = OnnxTensorReader.ReadSerialized(File.ReadAllBytes(file), options);
                Assert.AreEqual(expected.ShapeText, outputs[o].ShapeText, $"{name} output {o} shape");
                var (e, a) = (expected.Span.ToArray(), outputs[o].Span.ToArray());
                for (int i = 0; i < e.Length; i++)
                {
                    bool ok = (float.IsNaN(e[i]) && float.IsNaN(a[i])) || e[i] == a[i] || Math.Abs(a[i] - e[i]) <= 1e-7 + 1e-3 * Math.Abs(e[i]);
                    if (!ok) Assert.Fail($"{name} ({Path.GetFileName(set)}) output {o}[{i}]: expected {e[i]}, got {a[i]}.");
                }
            }
        }
    }

    /// <summary>Cases whose gradient check is skipped: inputs sit on a kink or the op is a step function.</summary>
    private static readonly Dictionary<string, string> GradientExcluded = new(StringComparer.Ordinal)
    {
        ["test_elu_example"] = "an input is exactly 0, the kink",
        ["test_leakyrelu_example"] = "an input is exactly 0, the kink",
        ["test_selu_example"] = "an input is exactly 0, the kink",
        ["test_pow"] = "negative bases with fractional exponents: the function is NaN there",
    };

    /// <summary>
    /// Backward of every supported op against central finite differences on the conformance inputs: the loss is a fixed
    /// random weighting of the outputs; up to 6 elements of each float input are perturbed by 1e-3. Inputs that get no
    /// gradient by design (batch-norm statistics, Clip bounds, the Pad value, Resize scales) are not checked.
    /// </summary>
    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void NodeCase_BackwardMatchesFiniteDifferences(string name)
    {
        Assert.IsTrue(Directory.Exists(NodeFolder), $"{NodeFolder} is missing: install the Debian package libonnx-testdata (test.sh does).");
        if (GradientExcluded.ContainsKey(name)) return;
        string dir = Path.Combine(NodeFolder, name);
        ModelProto proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(dir, "model.onnx")));
        OnnxGraphModule graph = OnnxImporter.Load(Path.Combine(dir, "model.onnx"));
        graph.Eval();
        var options = new OnnxImportOptions();
        string set = Path.Combine(dir, "test_data_set_0");
        Tensor[] inputs = [.. Enumerable.Range(0, graph.InputNames.Count).Select(i => OnnxTensorReader.ReadSerialized(File.ReadAllBytes(Path.Combine(set, $"input_{i}.pb")), options))];
        var floatInput = graph.InputNames.Select(n => proto.Graph.Input.First(v => v.Name == n).Type.TensorType.ElemType == 1).ToArray();
        var floatOutput = graph.OutputNames.Select(n => proto.Graph.Output.First(v => v.Name == n).Type.TensorType.ElemType == 1).ToArray();
        if (!floatInput.Any(f => f) || !floatOutput.Any(f => f)) return;
        var ctx = new StepContext();
        IReadOnlyList<Tensor> outputs = graph.Run(inputs, ctx);
        var rng = new SeededRandom(7);
        var weights = outputs.Select((o, k) => floatOutput[k] ? Enumerable.Range(0, o.Length).Select(_ => rng.NextFloat(-1f, 1f)).ToArray() : null).ToArray();
        var grads = new Tensor?[outputs.Count];
        for (int k = 0; k < outputs.Count; k++)
            if (weights[k] is { } w) grads[k] = new Tensor((float[])w.Clone(), outputs[k].Shape.ToArray());
        IReadOnlyList<Tensor?> analytic = graph.BackwardAll(grads, ctx);
        double Loss()
        {
            IReadOnlyList<Tensor> ys = graph.Run(inputs, new StepContext { RecordForBackward = false });
            double sum = 0;
            for (int k = 0; k < ys.Count; k++)
                if (weights[k] is { } w) for (int i = 0; i < w.Length; i++) sum += (double)w[i] * ys[k].Span[i];
            return sum;
        }
        const float h = 1e-3f;
        // Float rounding of the outputs, seen through the finite difference.
        double noise = 0;
        for (int k = 0; k < outputs.Count; k++)
            if (weights[k] is { } w) for (int i = 0; i < w.Length; i++) noise += Math.Abs(w[i] * outputs[k].Span[i]);
        noise = noise * 2.4e-7 / h;
        for (int k = 0; k < inputs.Length; k++)
        {
            if (!floatInput[k] || inputs[k].Length == 0 || analytic[k] is null) continue;
            Tensor x = inputs[k] = inputs[k].Clone();
            int step = Math.Max(1, x.Length / 6);
            for (int i = 0; i < x.Length; i += step)
            {
                float saved = x.Span[i];
                x.Span[i] = saved + h;
                double plus = Loss();
                x.Span[i] = saved - h;
                double minus = Loss();
                x.Span[i] = saved;
                double numeric = (plus - minus) / (2 * h);
                double got = analytic[k]!.Span[i];
                if (!(Math.Abs(numeric - got) <= 5e-3 + noise + 2e-2 * Math.Abs(numeric)))
                    Assert.Fail($"{name}: d loss / d input {k}[{i}]: finite differences {numeric}, backward {got}.");
            }
        }
    }
}
