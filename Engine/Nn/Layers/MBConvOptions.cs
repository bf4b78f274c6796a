using MlPipelines.Engine.Kernels;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>
/// The choices that distinguish EfficientNet's MBConv (the defaults) from MobileNetV3's inverted residual block
/// (ReLU or hard-swish, squeeze-and-excitation on some blocks only, hard-sigmoid gate, batch norm eps 1e-3 and momentum 0.01).
/// </summary>
public sealed record MBConvOptions
{
    /// <summary>Activation after the expansion and the depthwise convolution.</summary>
    public ActivationKind Activation { get; init; } = ActivationKind.Silu;

    /// <summary>Squeeze-and-excitation width: null for EfficientNet's max(1, in / 4), 0 for no squeeze-and-excitation.</summary>
    public int? SqueezeChannels { get; init; }

    /// <summary>Activation inside the squeeze-and-excitation (between its two 1x1 convolutions).</summary>
    public ActivationKind SqueezeActivation { get; init; } = ActivationKind.Silu;

    /// <summary>The squeeze-and-excitation gate.</summary>
    public ActivationKind SqueezeGate { get; init; } = ActivationKind.Sigmoid;

    /// <summary>Probability of dropping the residual branch per sample in training.</summary>
    public float StochasticDepth { get; init; }

    /// <summary>Batch-norm epsilon.</summary>
    public float BatchNormEps { get; init; } = 1e-5f;

    /// <summary>Batch-norm running-statistics momentum.</summary>
    public float BatchNormMomentum { get; init; } = 0.1f;
}
