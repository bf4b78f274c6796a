namespace MlPipelines.Engine.Kernels;

/// <summary>
/// A small count as a type (a GEMM kernel's rows or vectors, a depthwise group's blocks): a kernel generic over it
/// compiles once per count, with the unused rows, vectors or blocks removed.
/// </summary>
internal interface ICount
{
    static abstract int Value { get; }
}

internal struct Count1 : ICount { public static int Value => 1; }
internal struct Count2 : ICount { public static int Value => 2; }
internal struct Count3 : ICount { public static int Value => 3; }
internal struct Count4 : ICount { public static int Value => 4; }
internal struct Count5 : ICount { public static int Value => 5; }
internal struct Count6 : ICount { public static int Value => 6; }
