using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MlPipelines.Benchmarks.Harness;
using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Kernels;

namespace MlPipelines.Benchmarks.Layers;

/// <summary>
/// Per-layer convolution times against PyTorch's conv2d in the same run: forward, and backward (input and weight
/// gradients together, what a training step needs), for every distinct convolution of ResNet-20 at batch 128 on 1x28x28
/// inputs (or the geometries given), with each layer's GFLOP/s. It says which layers hold a whole model's ratio down.
/// Args: [seconds per measurement, default 1] [threads, default 1] [specs "N,CIN,H,W,COUT,K,STRIDE,PAD;...", default ResNet-20's].
/// </summary>
internal sealed class ConvLayerHarness : IHarness
{
    /// <summary>ResNet-20's convolutions at batch 128, 28x28 input, with how often each occurs in the network.</summary>
    private static readonly (string Spec, int Count)[] ResNet20 =
    [
        ("128,1,28,28,16,3,1,1", 1),
        ("128,16,28,28,16,3,1,1", 6),
        ("128,16,28,28,32,3,2,1", 1),
        ("128,16,28,28,32,1,2,0", 1),
        ("128,32,14,14,32,3,1,1", 5),
        ("128,32,14,14,64,3,2,1", 1),
        ("128,32,14,14,64,1,2,0", 1),
        ("128,64,7,7,64,3,1,1", 5),
    ];

    public string Name => "convlayers";

    public string Description => "per-layer convolution forward/backward ms vs PyTorch conv2d (ResNet-20's layers)";

    public int Run(string[] args)
    {
        double seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 1;
        int threads = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;
        var layers = args.Length > 2 ? args[2].Split(';').Select(s => (Spec: s, Count: 1)).ToArray() : ResNet20;
        string output = Anchor.RunPython("conv_layers_torch.py",
            new Dictionary<string, string> { ["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture), ["OPENBLAS_NUM_THREADS"] = "1" },
            [threads.ToString(CultureInfo.InvariantCulture), seconds.ToString(CultureInfo.InvariantCulture), .. layers.Select(l => l.Spec)]);
        var torch = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(e => e.GetProperty("spec").GetString()!, e => (Forward: e.GetProperty("forward_ms").GetDouble(), Backward: e.GetProperty("backward_ms").GetDouble()));
        Console.WriteLine($"{"layer (N,Cin,H,W,Cout,K,S,P)",-30} {"x",2} {"fwd ms",8} {"torch",8} {"ratio",6} {"GF/s",6} {"bwd ms",8} {"torch",8} {"ratio",6} {"GF/s",6}");
        double oursTotal = 0, torchTotal = 0;
        foreach (var (spec, count) in layers)
        {
            var (g, flops) = Parse(spec);
            var (forward, backward) = Measure(g, threads, seconds);
            var t = torch[spec];
            oursTotal += count * (forward + backward);
            torchTotal += count * (t.Forward + t.Backward);
            Console.WriteLine($"{spec,-30} {count,2} {forward,8:F2} {t.Forward,8:F2} {t.Forward / forward,6:F2} {flops / forward / 1e6,6:F1} " +
                $"{backward,8:F2} {t.Backward,8:F2} {t.Backward / backward,6:F2} {2 * flops / backward / 1e6,6:F1}");
        }
        Console.WriteLine($"weighted by occurrence: ours {oursTotal:F1} ms, torch {torchTotal:F1} ms per step's convolutions, ratio {torchTotal / oursTotal:F2}");
        return 0;
    }

    private static (Conv2dGeometry Geometry, double Flops) Parse(string spec)
    {
        int[] v = spec.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var g = new Conv2dGeometry(v[0], v[1], v[2], v[3], v[4], v[5], v[5], v[6], v[6], v[7], v[7], v[7], v[7]);
        return (g, 2.0 * g.OutputLength * g.PatchSize);
    }

    /// <summary>Milliseconds per forward and per backward (data + weights) call.</summary>
    private static (double Forward, double Backward) Measure(Conv2dGeometry g, int threads, double seconds)
    {
        var rng = new SeededRandom(1);
        float[] x = Random(g.InputLength, rng), w = Random(g.WeightLength, rng), dy = Random(g.OutputLength, rng);
        float[] y = new float[g.OutputLength], dx = new float[g.InputLength], dw = new float[g.WeightLength];
        double forward = Time(() => Conv2d.Forward(x, w, [], g, y, threads), seconds);
        double backward = Time(() =>
        {
            Array.Clear(dx);
            Conv2d.BackwardData(dy, w, g, dx, threads);
            Conv2d.BackwardWeights(x, dy, g, dw, [], threads);
        }, seconds);
        return (forward, backward);
    }

    private static float[] Random(int length, SeededRandom rng)
    {
        var a = new float[length];
        for (int i = 0; i < a.Length; i++) a[i] = rng.NextNormal();
        return a;
    }

    private static double Time(Action action, double seconds)
    {
        for (int i = 0; i < 3; i++) action();
        int runs = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds || runs < 5)
        {
            action();
            runs++;
        }
        return sw.Elapsed.TotalMilliseconds / runs;
    }
}
