using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using MlPipelines.Engine;
using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Models.Zoo;
using MlPipelines.Engine.Nn;
using MlPipelines.Testing;
using MlPipelines.Trainers.ImageClassification;
using MlPipelines.Trainers.Onnx;

namespace MlPipelines.Trainers.Tests.Onnx;

/// <summary>
/// Every zoo architecture at its smallest input (1 to 3 channels, 4 classes, random batch-norm statistics) round-trips:
/// saved in a model file and loaded back it gives bit-identical logits, and exported to ONNX it gives the same logits in
/// ONNX Runtime (onnxruntime-node, all models in one process) within 1e-4.
/// </summary>
[TestClass]
public sealed class ZooRoundTripTests
{
    private const int Classes = 4, Batch = 2;

    /// <summary>
    /// As in the engine's ZooTests: members left to a smaller one of their family built by the same code (VGG-11-BN for the
    /// VGGs; ResNet-50/101 and ResNeXt-50 for ResNet-152, ResNeXt-101 and Wide ResNet-50-2; Mixer-S for Mixer-B/L; ViT-Ti/S
    /// for ViT-B/L/H), since each would add 60-630 M parameters to write, export and load.
    /// </summary>
    private static readonly HashSet<string> CoveredByFamily =
    [
        "vgg11", "vgg13", "vgg13-bn", "vgg16", "vgg16-bn", "vgg19", "vgg19-bn", "resnet152", "resnext101-32x8d", "wide-resnet50-2",
        "mixer-b16", "mixer-b32", "mixer-l16", "vit-b16", "vit-b32", "vit-l16", "vit-l32", "vit-h14",
    ];

    private static string OrtModules =>
        Environment.GetEnvironmentVariable("MLP_ORT_NODE_MODULES") is { Length: > 0 } env ? env : Path.Combine(TestPaths.RepositoryRoot, ".tools", "ort", "node_modules");

    [TestMethod]
    public void EveryModel_RoundTripsThroughTheModelFile_AndMatchesOnnxRuntime()
    {
        Assert.IsTrue(Directory.Exists(Path.Combine(OrtModules, "onnxruntime-node")),
            $"onnxruntime-node is not installed in {OrtModules}; ./test.sh installs it (npm install --ignore-scripts onnxruntime-node).");
        var names = ModelZoo.Names.Where(n => !CoveredByFamily.Contains(n)).ToList();
        Assert.AreEqual(ModelZoo.Names.Count - CoveredByFamily.Count, names.Count, "every left-out name is a zoo name");
        var ctx = new MLContext(1);
        string dir = TestPaths.NewTempFolder("zoo-ort");
        var jobs = new List<(string Name, string Model, string Input, int[] Dims, string Output, float[] Expected)>();
        try
        {
            for (int index = 0; index < names.Count; index++)
            {
                string name = names[index];
                int channels = index % 3 + 1;
                var (model, size) = AtSmallestInput(name, channels, (ulong)index + 1);
                BatchNormRandomiser.Randomise(model, (ulong)index + 100, meanSpread: 0.2f, maxVariance: 1.5f);
                RandomiseZeros(model, (ulong)index + 300);
                var rng = new SeededRandom((ulong)index + 200);
                var input = new float[Batch * channels * size * size];
                foreach (ref float v in input.AsSpan()) v = rng.NextFloat(-2, 2);
                int[] dims = [Batch, channels, size, size];
                float[] expected = Logits(model, input, dims);

                // (a) The model file: the loader rebuilds the architecture from its name with seed 0 and must take every weight from the file.
                var options = new ImageClassificationTransformer.ScoringOptions(name, channels, size, size, "Features", "Score", "PredictedLabel", 0, "TopLabels", "TopScores");
                var transformer = new ImageClassificationTransformer(model, options, ["a", "b", "c", "d"], null);
                using (var stream = new MemoryStream())
                {
                    ctx.Model.Save(transformer, null, stream);
                    stream.Position = 0;
                    var loaded = (ImageClassificationTransformer)ctx.Model.Load(stream, out _);
                    CollectionAssert.AreEqual(expected, Logits(loaded.Model, input, dims), $"{name}: logits after the model-file round trip");
                }

                // (b) ONNX, run below in one onnxruntime process.
                string job = Path.Combine(dir, name);
                OnnxExporter.Export(model, new OnnxExportOptions { InputShape = (channels, size, size) }, job + ".onnx");
                File.WriteAllBytes(job + ".in.bin", MemoryMarshal.AsBytes(input.AsSpan()).ToArray());
                jobs.Add((name, job + ".onnx", job + ".in.bin", dims, job + ".out.bin", expected));
                if (name == "googlenet-aux")
                {
                    var graph = OnnxExporter.Build(model, new OnnxExportOptions { InputShape = (channels, size, size) }).Graph;
                    Assert.IsFalse(graph.Initializer.Any(t => t.Name.Contains(".aux", StringComparison.Ordinal)), "the export carries no auxiliary head");
                }
            }

            RunOrt(dir, jobs.Select(j => (j.Model, j.Input, j.Dims, j.Output)));
            foreach (var j in jobs)
            {
                float[] actual = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(j.Output)).ToArray();
                Assert.HasCount(j.Expected.Length, actual, j.Name);
                for (int i = 0; i < actual.Length; i++)
                    Assert.AreEqual(j.Expected[i], actual[i], 1e-4 + 1e-4 * Math.Abs(j.Expected[i]), $"{j.Name}: ONNX Runtime logit {i}");
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>
    /// The model with the smallest square input it takes: MLP-Mixer and ViT for two patches a side (their token count is
    /// fixed); a convolutional network, whose layers do not depend on the input size, probed for the smallest input its shapes allow.
    /// </summary>
    private static (Module Model, int Size) AtSmallestInput(string name, int channels, ulong seed)
    {
        if (name.StartsWith("mixer-", StringComparison.Ordinal) || name.StartsWith("vit-", StringComparison.Ordinal))
        {
            int patch = int.Parse(new string([.. name.SkipWhile(c => !char.IsDigit(c))]), System.Globalization.CultureInfo.InvariantCulture);
            return (ModelZoo.Create(name, channels, Classes, 2 * patch, seed), 2 * patch);
        }
        Module model = ModelZoo.Create(name, channels, Classes, 96, seed);
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

    private static float[] Logits(Module model, float[] input, int[] dims)
    {
        model.Eval();
        var ctx = new StepContext(ComputeConfig.SingleThreaded()) { RecordForBackward = false };
        return model.Forward(new Tensor((float[])input.Clone(), dims), ctx).Span.ToArray();
    }

    /// <summary>Running statistics and affine parameters away from their initial 0/1, so a wrong batch-norm export shows.</summary>

    /// <summary>
    /// Parameters initialised to zero (ViT's head and class token, attention biases, ...) get small random values: a zero
    /// head would make every logit zero whatever came before it, and the round trips would prove nothing.
    /// </summary>
    private static void RandomiseZeros(Module model, ulong seed)
    {
        var rng = new SeededRandom(seed);
        foreach (Parameter p in model.Parameters())
            if (!p.Value.Span.ContainsAnyExcept(0f))
                foreach (ref float v in p.Value.Span) v = rng.NextFloat(-0.1f, 0.1f);
    }

    private static void RunOrt(string dir, IEnumerable<(string Model, string Input, int[] Dims, string Output)> jobs)
    {
        string list = Path.Combine(dir, "jobs.json");
        File.WriteAllText(list, JsonSerializer.Serialize(jobs.Select(j => new { model = j.Model, input = j.Input, dims = j.Dims, output = j.Output })));
        var info = new ProcessStartInfo("node") { RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add(Path.Combine(TestPaths.RepositoryRoot, "Tests", "Trainers.Tests", "Onnx", "run_ort_many.js"));
        info.ArgumentList.Add(list);
        info.Environment["NODE_PATH"] = OrtModules;
        using var node = Process.Start(info)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        string err = node.StandardError.ReadToEnd();
        stdout.Wait();
        node.WaitForExit();
        Assert.AreEqual(0, node.ExitCode, $"onnxruntime failed: {err}");
    }
}
