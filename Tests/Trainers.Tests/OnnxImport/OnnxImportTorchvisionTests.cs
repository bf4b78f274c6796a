using System.Runtime.InteropServices;
using MlPipelines.Engine;
using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Nn;
using MlPipelines.Engine.Tests.Models.Zoo;
using MlPipelines.Trainers.Onnx;
using MlPipelines.Trainers.Onnx.Proto;

namespace MlPipelines.Trainers.Tests.OnnxImport;

/// <summary>
/// Whole torchvision networks exported by PyTorch (gen_torch_onnx.py): ResNet-18 at 64x64 and VGG-11-BN through its
/// third block with a small classifier. Their weights are too big to commit, so the committed .onnx refers to an external
/// weights file that this test writes again from the portable generator (each initializer is named by its torch
/// state-dict key, and both sides compute the same numbers from the key); the imported model must give torch's logits
/// within 1e-4 of their scale. This also exercises external data offsets written by the onnx package.
/// </summary>
[TestClass]
public sealed class OnnxImportTorchvisionTests
{
    private static string Fixture(string file) => Path.Combine(AppContext.BaseDirectory, "OnnxImport", file);

    [TestMethod]
    [DataRow("resnet18_64", 30)]
    [DataRow("vgg11_bn_slice", 8)]
    public void TorchvisionExport_WithPortableWeights_MatchesTorch(string name, int minExternal)
    {
        ModelProto proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Fixture(name + ".onnx")));
        DirectoryInfo folder = Directory.CreateTempSubdirectory("mlp-torchvision-onnx-");
        try
        {
            int external = WritePortableWeights(proto.Graph, Path.Combine(folder.FullName, name + ".weights"));
            Assert.IsGreaterThanOrEqualTo(minExternal, external, "initializers stored in the external file");

            OnnxGraphModule graph;
            using (FileStream stream = File.OpenRead(Fixture(name + ".onnx")))
                graph = OnnxImporter.Load(stream, new OnnxImportOptions { ExternalDataDirectory = folder.FullName });
            CollectionAssert.Contains(graph.NodeOpTypes.ToArray(), "BatchNormalization", "the export kept batch norm as its own op");
            graph.Eval();
            Assert.IsGreaterThan(0, graph.FusedNodes, "batch norms and ReLUs run inside their convolutions in inference");
            Tensor input = PortableWeights.Generate("input", [2, 3, 64, 64], 0, 1);
            Tensor y = graph.Forward(input, new StepContext { RecordForBackward = false });
            // A step that records for backward runs every node on its own: the same logits up to the rounding of the
            // batch norm's constants (the graph op folds them in float, the fused path in double).
            Tensor layered = graph.Forward(input, new StepContext { RecordForBackward = true });

            float[] expected = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Fixture(name + ".output.bin"))).ToArray();
            Assert.AreEqual("[2, 10]", y.ShapeText);
            double scale = expected.Max(v => Math.Abs((double)v));
            Assert.IsGreaterThan(1e-3, scale, "reference logits");
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.AreEqual(expected[i], y.Span[i], 1e-4 * scale, $"{name} logit {i} (scale {scale:g3})");
                Assert.AreEqual(layered.Span[i], y.Span[i], 1e-5 * scale, $"{name} logit {i}: fused vs node by node");
            }

            // Four copies of the batch: enough outputs per layer (ResNet-18's 16x16 stage: 8 x 256) for the 3x3 layers
            // with 32+ channels to take the Winograd route, which must give the same logits for every copy.
            var copies = new Tensor(4 * input.Dim(0), 3, 64, 64);
            for (int k = 0; k < 4; k++) input.Span.CopyTo(copies.Span.Slice(k * input.Length));
            Tensor yc = graph.Forward(copies, new StepContext(new ComputeConfig { DegreeOfParallelism = 2 }) { RecordForBackward = false });
            for (int k = 0; k < 4; k++)
                for (int i = 0; i < expected.Length; i++)
                    Assert.AreEqual(expected[i], yc.Span[k * expected.Length + i], 1e-4 * scale, $"{name} copy {k} logit {i} (scale {scale:g3})");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Writes every externally stored float initializer's portable values at its offset in <paramref name="path"/>, and
    /// checks that the small initializers kept inside the model already hold them (so the names really are torch's keys).
    /// Returns the number of external initializers.
    /// </summary>
    private static int WritePortableWeights(GraphProto graph, string path)
    {
        int external = 0, inline = 0;
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        foreach (TensorProto t in graph.Initializer)
        {
            if ((TensorProto.Types.DataType)t.DataType != TensorProto.Types.DataType.Float) continue;
            Tensor values = PortableWeights.Generate(t.Name, [.. t.Dims.Select(d => (int)d)]);
            if (t.DataLocation != TensorProto.Types.DataLocation.External)
            {
                float[] stored = MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray();
                CollectionAssert.AreEqual(values.Span.ToArray(), stored, $"inline initializer '{t.Name}' is not its portable value");
                inline++;
                continue;
            }
            var entries = t.ExternalData.ToDictionary(e => e.Key, e => e.Value);
            Assert.AreEqual(Path.GetFileName(path), entries["location"], t.Name);
            Assert.AreEqual(values.Length * sizeof(float), long.Parse(entries["length"]), $"{t.Name} length");
            file.Position = long.Parse(entries["offset"]);
            file.Write(MemoryMarshal.AsBytes(values.Span));
            external++;
        }
        Assert.IsGreaterThan(0, inline, "some small initializers are stored inline");
        return external;
    }
}
