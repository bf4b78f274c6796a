using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MlPipelines.Engine.Kernels;

/// <summary>
/// Copies and sums of short rows (a feature map's 7 to 56 pixels), inlined where they are used: moving a plane row by
/// row into a padded grid calls these thousands of times a layer, where a call to Memmove or TensorPrimitives costs more
/// than the few vectors it moves. Source and destination never overlap.
/// </summary>
internal static unsafe class ShortRows
{
    /// <summary>d[0..n) = s[0..n); a ragged end is one more vector that overlaps the last full one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(float* s, float* d, int n)
    {
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            int i = 0;
            for (; i <= n - 8; i += 8) Vector256.Store(Vector256.Load(s + i), d + i);
            if (i < n) Vector256.Store(Vector256.Load(s + n - 8), d + n - 8);
        }
        else if (Vector128.IsHardwareAccelerated && n >= 4)
        {
            int i = 0;
            for (; i <= n - 4; i += 4) Vector128.Store(Vector128.Load(s + i), d + i);
            if (i < n) Vector128.Store(Vector128.Load(s + n - 4), d + n - 4);
        }
        else
        {
            for (int i = 0; i < n; i++) d[i] = s[i];
        }
    }

    /// <summary>d[0..n) += s[0..n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddTo(float* s, float* d, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8) Vector256.Store(Vector256.Load(d + i) + Vector256.Load(s + i), d + i);
        for (; i < n; i++) d[i] += s[i];
    }

    /// <summary>d[0..n) = s[0..n) + <paramref name="bias"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScalar(float* s, float bias, float* d, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (var b = Vector256.Create(bias); i <= n - 8; i += 8) Vector256.Store(Vector256.Load(s + i) + b, d + i);
        for (; i < n; i++) d[i] = s[i] + bias;
    }
}
