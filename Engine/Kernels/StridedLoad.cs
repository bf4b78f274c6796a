using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MlPipelines.Engine.Kernels;

/// <summary>The inputs of eight (or sixteen) windows side by side at stride 1 or 2, as one AVX2 (AVX-512) vector (pooling and depthwise kernels).</summary>
internal static unsafe class StridedLoad
{
    /// <summary>p[0], p[s], ..., p[7 s] for s = <paramref name="stride"/> (1 or 2; with 2 it reads 16 floats). Needs AVX2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Eight(float* p, int stride)
    {
        if (stride == 1) return Vector256.Load(p);
        // Even elements of 16: within each 128-bit lane pick a0 a2 b0 b2, then put the four 64-bit pieces in order.
        Vector256<float> a = Vector256.Load(p), b = Vector256.Load(p + 8);
        return Avx2.Permute4x64(Avx.Shuffle(a, b, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();
    }

    /// <summary>p[0], p[s], ..., p[15 s] for s = <paramref name="stride"/> (1 or 2; with 2 it reads 32 floats). Needs AVX-512.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sixteen(float* p, int stride)
    {
        if (stride == 1) return Vector512.Load(p);
        return Avx512F.PermuteVar16x32x2(Vector512.Load(p), Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30), Vector512.Load(p + 16));
    }
}
