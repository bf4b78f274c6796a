using MlPipelines.Engine.Compute;

namespace MlPipelines.Engine.Init;

/// <summary>
/// Weight initialisation with PyTorch's definitions: fan_in = in_channels x kernel area (columns of a Linear weight),
/// fan_out = out_channels x kernel area; gain sqrt(2) for ReLU, sqrt(2 / (1 + a^2)) for leaky ReLU with slope a.
/// Every draw comes from the given stream, so a model is reproducible from its seed.
/// </summary>
public static class Initializers
{
    /// <summary>(fan_in, fan_out) of a weight of shape [out, in, ...kernel].</summary>
    public static (int FanIn, int FanOut) Fans(Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank < 2) throw new ArgumentException($"Fans need a weight of rank 2 or more, got {weight.ShapeText}.", nameof(weight));
        int receptive = 1;
        for (int i = 2; i < weight.Rank; i++) receptive *= weight.Dim(i);
        return (weight.Dim(1) * receptive, weight.Dim(0) * receptive);
    }

    /// <summary>Gain for ReLU-family nonlinearities (slope 0 = ReLU).</summary>
    public static double ReluGain(double negativeSlope = 0) => Math.Sqrt(2.0 / (1 + negativeSlope * negativeSlope));

    /// <summary>Uniform in [-b, b] with b = gain sqrt(3 / fan).</summary>
    public static void KaimingUniform(Tensor weight, SeededRandom random, double negativeSlope = 0, bool fanOut = false)
    {
        var (fi, fo) = Fans(weight);
        double bound = ReluGain(negativeSlope) * Math.Sqrt(3.0 / (fanOut ? fo : fi));
        Uniform(weight, random, -bound, bound);
    }

    /// <summary>Normal with std = gain / sqrt(fan).</summary>
    public static void KaimingNormal(Tensor weight, SeededRandom random, double negativeSlope = 0, bool fanOut = false)
    {
        var (fi, fo) = Fans(weight);
        Normal(weight, random, 0, ReluGain(negativeSlope) / Math.Sqrt(fanOut ? fo : fi));
    }

    /// <summary>Uniform in [-b, b] with b = gain sqrt(6 / (fan_in + fan_out)).</summary>
    public static void XavierUniform(Tensor weight, SeededRandom random, double gain = 1)
    {
        var (fi, fo) = Fans(weight);
        double bound = gain * Math.Sqrt(6.0 / (fi + fo));
        Uniform(weight, random, -bound, bound);
    }

    /// <summary>Normal with std = gain sqrt(2 / (fan_in + fan_out)).</summary>
    public static void XavierNormal(Tensor weight, SeededRandom random, double gain = 1)
    {
        var (fi, fo) = Fans(weight);
        Normal(weight, random, 0, gain * Math.Sqrt(2.0 / (fi + fo)));
    }

    /// <summary>
    /// PyTorch's default for Conv2d and Linear: kaiming_uniform with a = sqrt(5) for the weight (bound 1/sqrt(fan_in))
    /// and uniform in ±1/sqrt(fan_in) for the bias.
    /// </summary>
    public static void PyTorchDefault(Tensor weight, Tensor? bias, SeededRandom random)
    {
        KaimingUniform(weight, random, Math.Sqrt(5));
        if (bias is null) return;
        double bound = 1 / Math.Sqrt(Fans(weight).FanIn);
        Uniform(bias, random, -bound, bound);
    }

    /// <summary>Uniform in [low, high).</summary>
    public static void Uniform(Tensor t, SeededRandom random, double low, double high)
    {
        ArgumentNullException.ThrowIfNull(t);
        ArgumentNullException.ThrowIfNull(random);
        Span<float> s = t.Span;
        for (int i = 0; i < s.Length; i++) s[i] = (float)(low + (high - low) * random.NextDouble());
    }

    /// <summary>Normal with the given mean and standard deviation.</summary>
    public static void Normal(Tensor t, SeededRandom random, double mean, double std)
    {
        ArgumentNullException.ThrowIfNull(t);
        ArgumentNullException.ThrowIfNull(random);
        Span<float> s = t.Span;
        for (int i = 0; i < s.Length; i++) s[i] = random.NextNormal((float)mean, (float)std);
    }
}
