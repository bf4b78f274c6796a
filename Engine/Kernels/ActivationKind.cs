namespace MlPipelines.Engine.Kernels;

/// <summary>The elementwise activations the engine provides.</summary>
public enum ActivationKind
{
    /// <summary>max(x, 0).</summary>
    Relu,

    /// <summary>x for x &gt; 0, slope x otherwise.</summary>
    LeakyRelu,

    /// <summary>min(max(x, 0), 6).</summary>
    Relu6,

    /// <summary>1 / (1 + e^-x).</summary>
    Sigmoid,

    /// <summary>Hyperbolic tangent.</summary>
    Tanh,

    /// <summary>x Phi(x) with the exact normal CDF (erf), PyTorch's default GELU.</summary>
    Gelu,

    /// <summary>GELU's tanh approximation.</summary>
    GeluTanh,

    /// <summary>x sigmoid(x) (swish).</summary>
    Silu,

    /// <summary>x relu6(x + 3) / 6.</summary>
    HardSwish,

    /// <summary>relu6(x + 3) / 6.</summary>
    HardSigmoid,
}
