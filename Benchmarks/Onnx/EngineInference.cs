using System.Diagnostics;
using MlPipelines.Engine;
using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Nn;

namespace MlPipelines.Benchmarks.Onnx;

/// <summary>Times our engine's eval-mode forward pass with the protocol of anchors/ort_infer.js.</summary>
internal static class EngineInference
{
    /// <summary>
    /// Seconds of warm-up before timing, as anchors/ort_infer.js does for ONNX Runtime. Tiered compilation makes the first
    /// passes slow, and with dynamic PGO the methods called once or twice a pass reach their final code only after a dozen
    /// passes: ResNet-20 at batch 256, two threads, from a fresh process ran 473, 283, 291, 111, 123, then 92-112 ms until
    /// about the sixteenth pass (2.3 s in), then 85-90 ms. One warm-up pass left all of that in a three-second window's
    /// mean (1,705 img/s where the steady state is about 2,900).
    /// </summary>
    private const double WarmSeconds = 3;

    /// <summary>
    /// Warms up (at least 20 passes at batch 1, 3 otherwise, and at least <see cref="WarmSeconds"/>), then runs the batch
    /// for at least <paramref name="seconds"/> and at least 20 (batch 1) or 2 passes, each timed on its own.
    /// </summary>
    public static InferenceTiming Measure(Module model, (int C, int H, int W) image, int batch, int threads, double seconds)
    {
        model.Eval();
        var ctx = new StepContext(new ComputeConfig { DegreeOfParallelism = threads }) { RecordForBackward = false };
        var x = new Tensor(batch, image.C, image.H, image.W); // [N, C, H, W]
        var rng = new SeededRandom(2);
        foreach (ref float v in x.Span) v = rng.NextFloat(-1, 1);
        int minRuns = batch == 1 ? 20 : 2;
        int warmRuns = batch == 1 ? 20 : 3;
        long warmStart = Stopwatch.GetTimestamp();
        for (int i = 0; i < warmRuns || Stopwatch.GetElapsedTime(warmStart).TotalSeconds < WarmSeconds; i++) Forward(model, x, ctx);

        var times = new List<double>();
        var process = Process.GetCurrentProcess();
        process.Refresh();
        TimeSpan cpu0 = process.TotalProcessorTime;
        Dictionary<int, TimeSpan> threads0 = ThreadTimes(process);
        long start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start).TotalSeconds < seconds || times.Count < minRuns)
        {
            long a = Stopwatch.GetTimestamp();
            Forward(model, x, ctx);
            times.Add(Stopwatch.GetElapsedTime(a).TotalSeconds);
        }
        double wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
        process.Refresh();
        double cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
        int busy = BusyThreads(threads0, ThreadTimes(process));
        times.Sort();
        return new InferenceTiming(batch, times.Count, times[times.Count / 2] * 1e3, times.Count * batch / times.Sum(), cpu / wall, busy);
    }

    /// <summary>Our outputs for <paramref name="input"/> (<paramref name="batch"/> images), to compare with ONNX Runtime's.</summary>
    public static float[] Outputs(Module model, float[] input, int batch, (int C, int H, int W) image, int threads)
    {
        model.Eval();
        var ctx = new StepContext(new ComputeConfig { DegreeOfParallelism = threads }) { RecordForBackward = false };
        return Forward(model, new Tensor((float[])input.Clone(), batch, image.C, image.H, image.W), ctx).Span.ToArray();
    }

    /// <summary>Threads that used at least a fifth of the busiest thread's CPU time between the two snapshots.</summary>
    internal static int BusyThreads(Dictionary<int, TimeSpan> before, Dictionary<int, TimeSpan> after)
    {
        double[] used = [.. after.Select(t => (t.Value - before.GetValueOrDefault(t.Key)).TotalSeconds)];
        double most = used.DefaultIfEmpty(0).Max();
        return most > 0 ? used.Count(u => u >= most / 5) : 0;
    }

    private static Dictionary<int, TimeSpan> ThreadTimes(Process process)
    {
        var times = new Dictionary<int, TimeSpan>();
        foreach (ProcessThread thread in process.Threads)
        {
            try
            {
                times[thread.Id] = thread.TotalProcessorTime;
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // The thread ended between the listing and the read.
            }
        }
        return times;
    }

    private static Tensor Forward(Module model, Tensor x, StepContext ctx)
    {
        ctx.BeginStep();
        return model.Forward(x, ctx);
    }
}
