using System.Runtime.Intrinsics;

namespace MlPipelines.Engine.Kernels.Operators;

/// <summary>An elementwise function of two inputs (e.g. an activation's gradient of x and dY).</summary>
internal interface IBinaryOperator
{
    float Invoke(float x, float y);
    Vector256<float> Invoke(Vector256<float> x, Vector256<float> y);
    Vector512<float> Invoke(Vector512<float> x, Vector512<float> y);
}
