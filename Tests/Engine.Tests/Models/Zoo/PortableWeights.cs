using System.Text;
using MlPipelines.Engine.Nn;

namespace MlPipelines.Engine.Tests.Models.Zoo;

/// <summary>
/// Deterministic weights that are a function of a tensor's name and shape only, computed identically by
/// portable_weights.py (numpy) beside this file, so fixtures of large torchvision models hold no weights: both sides fill
/// the same numbers by state-dict key. Element i of tensor <c>key</c> is
/// <c>float(centre + halfWidth * (2u - 1))</c> in double with <c>u = (splitmix64(FNV1a64(key) + (i + 1) * golden) &gt;&gt; 40) * 2^-24</c>;
/// the spread is He-uniform over the fan-in for tensors of rank 2 and more, 1 ± 0.2 for normalisation scales,
/// v ± v/4 for running variances (v = 1 unless given) and 0 ± 0.1 for everything else of rank 1.
/// </summary>
internal static class PortableWeights
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>FNV-1a (64-bit) of the UTF-8 bytes of <paramref name="key"/>.</summary>
    public static ulong Fnv1a64(string key)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (byte b in Encoding.UTF8.GetBytes(key)) h = (h ^ b) * 0x100000001B3UL;
        return h;
    }

    /// <summary>The (centre, half width) portable_weights.spread gives the tensor <paramref name="key"/> of <paramref name="shape"/>.</summary>
    public static (double Centre, double HalfWidth) Spread(string key, ReadOnlySpan<int> shape, double runningVar = 1)
    {
        if (shape.Length >= 2)
        {
            long fanIn = 1;
            for (int d = 1; d < shape.Length; d++) fanIn *= shape[d];
            return (0, Math.Sqrt(6.0 / fanIn));
        }
        if (key.EndsWith("running_var", StringComparison.Ordinal)) return (runningVar, runningVar / 4);
        if (key.EndsWith("weight", StringComparison.Ordinal)) return (1, 0.2);
        return (0, 0.1);
    }

    /// <summary>Fills <paramref name="destination"/> with the values of tensor <paramref name="key"/> drawn uniformly from centre ± halfWidth.</summary>
    public static void Fill(string key, Span<float> destination, double centre, double halfWidth)
    {
        ulong seed = Fnv1a64(key);
        for (int i = 0; i < destination.Length; i++)
        {
            ulong z = seed + (ulong)(i + 1) * Golden;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            double u = (z >> 40) * (1.0 / (1 << 24));
            destination[i] = (float)(centre + halfWidth * (2.0 * u - 1.0));
        }
    }

    /// <summary>A new tensor of <paramref name="shape"/> with the values of <paramref name="key"/> (spread from the name unless given).</summary>
    public static Tensor Generate(string key, int[] shape, double? centre = null, double? halfWidth = null)
    {
        var tensor = new Tensor(shape);
        (double c, double h) = Spread(key, shape);
        Fill(key, tensor.Span, centre ?? c, halfWidth ?? h);
        return tensor;
    }

    /// <summary>
    /// Overwrites every parameter and buffer of <paramref name="model"/> except the integer counters (num_batches_tracked)
    /// with its portable values, tensors in parallel (each tensor is one sequential stream, so the result does not depend on
    /// the thread count); running variances are centred on <paramref name="runningVar"/>.
    /// </summary>
    public static void FillState(Module model, double runningVar = 1)
    {
        var entries = model.StateDict().Where(e => !e.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal)).ToArray();
        Parallel.ForEach(entries, e =>
        {
            (double c, double h) = Spread(e.Key, e.Value.Shape, runningVar);
            Fill(e.Key, e.Value.Span, c, h);
        });
    }
}
