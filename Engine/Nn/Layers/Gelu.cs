using MlPipelines.Engine.Kernels;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>Activation layer: x Phi(x), exact (erf) form.</summary>
public sealed class Gelu() : ActivationLayer(ActivationKind.Gelu);
