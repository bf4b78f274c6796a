namespace MlPipelines.Engine.Kernels.Reference;

/// <summary>The plain twins of <see cref="Activation"/>: each function and its derivative from the definition, in double.</summary>
internal static class ActivationReference
{
    public static double Forward(ActivationKind kind, double x, double slope = 0.01) => kind switch
    {
        ActivationKind.Relu => Math.Max(x, 0),
        ActivationKind.LeakyRelu => x > 0 ? x : slope * x,
        ActivationKind.Relu6 => Math.Min(Math.Max(x, 0), 6),
        ActivationKind.Sigmoid => 1 / (1 + Math.Exp(-x)),
        ActivationKind.Tanh => Math.Tanh(x),
        ActivationKind.Gelu => 0.5 * x * (1 + Activation.Erf(x / Math.Sqrt(2))),
        ActivationKind.GeluTanh => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))),
        ActivationKind.Silu => x / (1 + Math.Exp(-x)),
        ActivationKind.HardSwish => x * Math.Min(Math.Max(x + 3, 0), 6) / 6,
        ActivationKind.HardSigmoid => Math.Min(Math.Max(x + 3, 0), 6) / 6,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static double Derivative(ActivationKind kind, double x, double slope = 0.01)
    {
        double s = 1 / (1 + Math.Exp(-x));
        return kind switch
        {
            ActivationKind.Relu => x > 0 ? 1 : 0,
            ActivationKind.LeakyRelu => x > 0 ? 1 : slope,
            ActivationKind.Relu6 => x > 0 && x < 6 ? 1 : 0,
            ActivationKind.Sigmoid => s * (1 - s),
            ActivationKind.Tanh => 1 - Math.Tanh(x) * Math.Tanh(x),
            ActivationKind.Gelu => 0.5 * (1 + Activation.Erf(x / Math.Sqrt(2))) + x * Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI),
            ActivationKind.GeluTanh => GeluTanhDerivative(x),
            ActivationKind.Silu => s * (1 + x * (1 - s)),
            ActivationKind.HardSwish => x < -3 ? 0 : x <= 3 ? x / 3 + 0.5 : 1,
            ActivationKind.HardSigmoid => x > -3 && x < 3 ? 1.0 / 6 : 0,
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    private static double GeluTanhDerivative(double x)
    {
        double c = Math.Sqrt(2 / Math.PI), t = Math.Tanh(c * (x + 0.044715 * x * x * x));
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x);
    }
}
