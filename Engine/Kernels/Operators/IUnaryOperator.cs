using System.Runtime.Intrinsics;

namespace MlPipelines.Engine.Kernels.Operators;

/// <summary>An elementwise function with scalar, 256-bit and 512-bit bodies; the driver picks the widest accelerated one.</summary>
internal interface IUnaryOperator
{
    float Invoke(float x);
    Vector256<float> Invoke(Vector256<float> x);
    Vector512<float> Invoke(Vector512<float> x);
}
