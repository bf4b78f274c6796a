using MlPipelines.Engine.Kernels;
using MlPipelines.Engine.Kernels.Reference;

namespace MlPipelines.Engine.Tests.Kernels;

[TestClass]
[TestCategory("Kernels")]
public sealed class ActivationTests
{
    private static readonly ActivationKind[] Kinds = Enum.GetValues<ActivationKind>();

    [TestMethod]
    public void FastMatchesReference_ForEveryTailLength()
    {
        var rng = new Random(1);
        foreach (var kind in Kinds)
        {
            for (int n = 0; n <= 257; n++)
            {
                float[] x = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 16 - 8)).ToArray();
                float[] dy = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
                var y = new float[n];
                Activation.Forward(kind, x, y, 0.1f);
                float[] dx = Enumerable.Repeat(1f, n).ToArray();
                Activation.Backward(kind, x, y, dy, dx, 0.1f);
                for (int i = 0; i < n; i++)
                {
                    double ry = ActivationReference.Forward(kind, x[i], 0.1);
                    double rdx = 1 + dy[i] * ActivationReference.Derivative(kind, x[i], 0.1);
                    Assert.AreEqual(ry, y[i], 2e-6 * (1 + Math.Abs(ry)), $"{kind} y n={n} i={i} x={x[i]}");
                    Assert.AreEqual(rdx, dx[i], 2e-5 * (1 + Math.Abs(rdx)), $"{kind} dx n={n} i={i} x={x[i]}");
                }
            }
        }
    }

    [TestMethod]
    public void Silu_IsWithinAnUlpOrTwo_OverTheWholeRange_AndEveryWidthGivesTheSameBits()
    {
        // SiLU's own inline exp and reciprocal estimate: against x / (1 + e^-x) in double over [-120, 120], relative error
        // under 3e-7 down to x = -87 (the result still a normal float) and within 1e-35 below, where e^-x is clamped at
        // e^88 (about -5e-37 for -90 instead of -7e-38); the 512-bit, 256-bit and scalar paths (a plane's last values) bit
        // for bit; NaN and +infinity as x / (1 + e^-x) gives them.
        var op = new MlPipelines.Engine.Kernels.Operators.SiluOp();
        var rng = new Random(5);
        float[] x = [.. Enumerable.Range(0, 1 << 16).Select(i => (float)(rng.NextDouble() * 240 - 120) * (i % 3 == 0 ? 0.05f : 1f)), 0f, -0f, 1e-30f, -1e-30f, 88f, -88f, 87.3f, -87.3f];
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i], expected = v / (1 + Math.Exp(-v));
            float actual = op.Invoke(x[i]);
            if (v >= -87 && Math.Abs(expected) >= 1.2e-38) Assert.AreEqual(expected, actual, 3e-7 * Math.Abs(expected), $"silu({x[i]:R})");
            else Assert.AreEqual(expected, actual, 1e-35, $"silu({x[i]:R}) in the clamped tail or near zero");
        }
        Assert.IsTrue(float.IsNaN(op.Invoke(float.NaN)), "NaN");
        Assert.AreEqual(float.PositiveInfinity, op.Invoke(float.PositiveInfinity), "+inf");
        for (int i = 0; i + 16 <= x.Length; i += 16)
        {
            var v512 = System.Runtime.Intrinsics.Vector512.Create(x.AsSpan(i, 16));
            var lo = System.Runtime.Intrinsics.Vector256.Create(x.AsSpan(i, 8));
            var hi = System.Runtime.Intrinsics.Vector256.Create(x.AsSpan(i + 8, 8));
            var wide = op.Invoke(v512);
            var low = op.Invoke(lo);
            var high = op.Invoke(hi);
            for (int j = 0; j < 16; j++)
            {
                int scalar = BitConverter.SingleToInt32Bits(op.Invoke(x[i + j]));
                Assert.AreEqual(scalar, BitConverter.SingleToInt32Bits(j < 8 ? low[j] : high[j - 8]), $"256-bit lane, x={x[i + j]:R}");
                if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
                    Assert.AreEqual(scalar, BitConverter.SingleToInt32Bits(wide[j]), $"512-bit lane, x={x[i + j]:R}");
            }
        }
    }

    [TestMethod]
    public void ReluAndClamp_KeepNaN_AndEveryWidthGivesTheScalarBits()
    {
        // ReLU and ReLU6 run as the bare MAXPS / MINPS with the bound as first operand: a NaN input must come out NaN (as
        // PyTorch's relu and clamp give it; swapped operands would turn it into the bound), -0 stays -0, and the 512-bit,
        // 256-bit and scalar forms (a plane's last values) agree bit for bit on every value, bounds and infinities included.
        var relu = new MlPipelines.Engine.Kernels.Operators.ReluOp();
        var relu6 = new MlPipelines.Engine.Kernels.Operators.ClampOp(0, 6);
        var rng = new Random(9);
        float[] x = [float.NaN, -float.NaN, 0f, -0f, 6f, -6f, 5.9999995f, 6.0000005f, float.PositiveInfinity, float.NegativeInfinity,
            float.Epsilon, -float.Epsilon, .. Enumerable.Range(0, 4084).Select(_ => (float)(rng.NextDouble() * 20 - 10))];
        foreach (float v in x)
        {
            Assert.AreEqual(float.IsNaN(v) ? float.NaN : v < 0 ? 0f : v, relu.Invoke(v), $"relu({v:R})");
            Assert.AreEqual(float.IsNaN(v) ? float.NaN : v < 0 ? 0f : v > 6 ? 6f : v, relu6.Invoke(v), $"relu6({v:R})");
        }
        Assert.AreEqual(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(relu.Invoke(-0f)), "relu(-0)");
        Assert.AreEqual(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(relu6.Invoke(-0f)), "relu6(-0)");
        for (int i = 0; i + 16 <= x.Length; i += 16)
        {
            var v512 = System.Runtime.Intrinsics.Vector512.Create(x.AsSpan(i, 16));
            var lo = System.Runtime.Intrinsics.Vector256.Create(x.AsSpan(i, 8));
            var hi = System.Runtime.Intrinsics.Vector256.Create(x.AsSpan(i + 8, 8));
            (var r512, var rlo, var rhi) = (relu.Invoke(v512), relu.Invoke(lo), relu.Invoke(hi));
            (var c512, var clo, var chi) = (relu6.Invoke(v512), relu6.Invoke(lo), relu6.Invoke(hi));
            for (int j = 0; j < 16; j++)
            {
                int r = BitConverter.SingleToInt32Bits(relu.Invoke(x[i + j])), c = BitConverter.SingleToInt32Bits(relu6.Invoke(x[i + j]));
                Assert.AreEqual(r, BitConverter.SingleToInt32Bits(j < 8 ? rlo[j] : rhi[j - 8]), $"relu 256-bit lane, x={x[i + j]:R}");
                Assert.AreEqual(c, BitConverter.SingleToInt32Bits(j < 8 ? clo[j] : chi[j - 8]), $"relu6 256-bit lane, x={x[i + j]:R}");
                Assert.AreEqual(r, BitConverter.SingleToInt32Bits(r512[j]), $"relu 512-bit lane, x={x[i + j]:R}");
                Assert.AreEqual(c, BitConverter.SingleToInt32Bits(c512[j]), $"relu6 512-bit lane, x={x[i + j]:R}");
            }
        }
        // Through the public entry point too: a NaN activation reaches the loss instead of vanishing.
        var y = new float[x.Length];
        Activation.Forward(ActivationKind.Relu, x, y, 0);
        Assert.IsTrue(float.IsNaN(y[0]) && float.IsNaN(y[1]), "Activation.Forward(Relu) keeps NaN");
    }

    [TestMethod]
    public void ReferenceDerivatives_MatchFiniteDifferences_AwayFromKinks()
    {
        foreach (var kind in Kinds)
            for (double x = -5.13; x < 7; x += 0.37)
            {
                double fd = (ActivationReference.Forward(kind, x + 1e-6, 0.1) - ActivationReference.Forward(kind, x - 1e-6, 0.1)) / 2e-6;
                Assert.AreEqual(fd, ActivationReference.Derivative(kind, x, 0.1), 1e-5, $"{kind} at {x}");
            }
    }

    [TestMethod]
    public void Overwriting_Backward_IgnoresWhatDxHeld_AndThreadsGiveTheSameBits()
    {
        // Long enough for the threaded driver to split (more than 2 x 16 blocks of 4096), with a ragged last block.
        var rng = new Random(3);
        int n = 2 * 16 * 4096 + 4093;
        float[] x = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 16 - 8)).ToArray();
        float[] dy = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        foreach (var kind in Kinds)
        {
            var y1 = new float[n];
            Activation.Forward(kind, x, y1, 0.1f);
            float[] added = new float[n], written = Enumerable.Repeat(float.NaN, n).ToArray();
            Activation.Backward(kind, x, y1, dy, added, 0.1f);
            Activation.Backward(kind, x, y1, dy, written, 0.1f, accumulate: false);
            CollectionAssert.AreEqual(added, written, $"{kind}: overwriting equals adding to zeros");
            foreach (int threads in new[] { 2, 3 })
            {
                float[] y = new float[n], dx = Enumerable.Repeat(float.NaN, n).ToArray();
                Activation.Forward(kind, x, y, 0.1f, threads);
                Activation.Backward(kind, x, y, dy, dx, 0.1f, accumulate: false, threads);
                CollectionAssert.AreEqual(y1, y, $"{kind} y, {threads} threads");
                CollectionAssert.AreEqual(written, dx, $"{kind} dx, {threads} threads");
            }
        }
    }

    [TestMethod]
    public void InPlaceForward_IsAllowed()
    {
        float[] x = [-1, 2, -3, 4];
        Activation.Forward(ActivationKind.Relu, x, x);
        CollectionAssert.AreEqual(new float[] { 0, 2, 0, 4 }, x);
    }
}
