using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MlPipelines.Benchmarks.Harness;

namespace MlPipelines.Benchmarks.Gemm;

/// <summary>Our SGEMM against torch.mm (OpenBLAS, AVX-512 kernels) at the same shapes and thread counts, in one run.</summary>
internal sealed class GemmHarness : IHarness
{
    private static readonly (int M, int N, int K)[] Shapes =
    [
        (256, 256, 256), (512, 512, 512), (1024, 1024, 1024), (2048, 2048, 2048),
        (64, 25088, 576),   // VGG-style conv as im2col GEMM (batch 32 of 28x28, 64 out channels)
        (128, 256, 3136),   // Linear forward, batch 128
        (32, 288, 12544),   // conv weight gradient: Cout x Cin*9 x (batch*OH*OW)
    ];

    public string Name => "gemm";

    public string Description => "SGEMM GFLOP/s vs torch.mm, 1 and 2 threads";

    public int Run(string[] args)
    {
        Console.WriteLine($"{"shape",-18} {"thr",3} {"ours GFLOP/s",13} {"torch GFLOP/s",14} {"ratio",6}");
        foreach (int threads in new[] { 1, 2 })
        {
            var env = new Dictionary<string, string> { ["OPENBLAS_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture) };
            string output = Anchor.RunPython("gemm_torch.py", env,
                [threads.ToString(CultureInfo.InvariantCulture), .. Shapes.Select(s => $"{s.M},{s.N},{s.K}")]);
            var torch = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => JsonDocument.Parse(l).RootElement)
                .ToDictionary(e => e.GetProperty("shape").GetString()!, e => e.GetProperty("gflops").GetDouble());
            foreach (var (m, n, k) in Shapes)
            {
                double ours = Measure(m, n, k, threads);
                double anchor = torch[$"{m}x{n}x{k}"];
                Console.WriteLine($"{$"{m}x{n}x{k}",-18} {threads,3} {ours,13:F1} {anchor,14:F1} {ours / anchor,6:F2}");
            }
        }
        return 0;
    }

    private static double Measure(int m, int n, int k, int threads)
    {
        var rng = new Random(1);
        float[] a = Enumerable.Range(0, m * k).Select(_ => (float)rng.NextDouble()).ToArray();
        float[] b = Enumerable.Range(0, k * n).Select(_ => (float)rng.NextDouble()).ToArray();
        float[] c = new float[m * n];
        double flop = 2.0 * m * n * k;
        int reps = Math.Max(1, (int)(2e9 / flop));
        Engine.Kernels.Gemm.Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n, threads);
        double best = 0;
        for (int burst = 0; burst < 5; burst++)
        {
            var sw = Stopwatch.StartNew();
            for (int r = 0; r < reps; r++) Engine.Kernels.Gemm.Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n, threads);
            best = Math.Max(best, flop * reps / sw.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }
}
