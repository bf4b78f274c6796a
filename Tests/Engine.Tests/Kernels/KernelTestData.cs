namespace MlPipelines.Engine.Tests.Kernels;

/// <summary>Seeded inputs and the closeness check the kernel tests share.</summary>
internal static class KernelTestData
{
    /// <summary><paramref name="n"/> values uniform in [-1, 1), the same for the same seed.</summary>
    public static float[] Random(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    /// <summary>The values widened to double, as the plain reference kernels take them.</summary>
    public static double[] D(float[] x) => x.Select(v => (double)v).ToArray();

    /// <summary>Asserts that two results hold the same bits, element by element (NaN payloads and signed zeros included).</summary>
    public static void AssertSameBits(float[] expected, float[] actual, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, what);
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(actual[i]), $"{what}: element {i}");
    }

    /// <summary>Every element within <paramref name="tol"/> x (1 + |expected|) of the double-precision reference.</summary>
    public static void AssertClose(double[] expected, float[] actual, double tol, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, what);
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected[i], actual[i], tol * (1 + Math.Abs(expected[i])), $"{what}[{i}]");
    }
}
