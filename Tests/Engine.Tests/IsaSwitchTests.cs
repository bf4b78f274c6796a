using System.Runtime.Intrinsics;

namespace MlPipelines.Engine.Tests;

/// <summary>
/// test.sh runs the kernel tests again with AVX-512 off, with AVX2 off (128-bit vectors only: a CPU with AVX but not
/// AVX2, whose Vector128 paths nothing else exercises) and with all intrinsics off, and says
/// which instruction set it expects in MLP_EXPECT_ISA. This test proves the switch took effect,
/// so a green narrow-path run really exercised the narrow path.
/// </summary>
[TestClass]
public sealed class IsaSwitchTests
{
    [TestMethod]
    [TestCategory("Kernels")]
    public void ExpectedInstructionSetIsActive()
    {
        string? expected = Environment.GetEnvironmentVariable("MLP_EXPECT_ISA");
        switch (expected)
        {
            case null or "":
                return; // the default pass runs whatever the machine has
            case "avx2":
                Assert.IsFalse(Vector512.IsHardwareAccelerated, "DOTNET_EnableAVX512=0 did not turn Vector512 off");
                Assert.IsTrue(Vector256.IsHardwareAccelerated, "Vector256 should remain accelerated with AVX-512 off");
                break;
            case "sse":
                Assert.IsFalse(Vector512.IsHardwareAccelerated, "DOTNET_EnableAVX2=0 did not turn Vector512 off");
                Assert.IsFalse(Vector256.IsHardwareAccelerated, "DOTNET_EnableAVX2=0 did not turn Vector256 off");
                Assert.IsTrue(Vector128.IsHardwareAccelerated, "Vector128 should remain accelerated with AVX2 off");
                break;
            case "scalar":
                Assert.IsFalse(Vector512.IsHardwareAccelerated, "DOTNET_EnableHWIntrinsic=0 did not turn Vector512 off");
                Assert.IsFalse(Vector256.IsHardwareAccelerated, "DOTNET_EnableHWIntrinsic=0 did not turn Vector256 off");
                Assert.IsFalse(Vector128.IsHardwareAccelerated, "DOTNET_EnableHWIntrinsic=0 did not turn Vector128 off");
                break;
            default:
                Assert.Fail($"Unknown MLP_EXPECT_ISA value '{expected}'");
                break;
        }
    }
}
