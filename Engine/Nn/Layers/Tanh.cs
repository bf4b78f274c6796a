using MlPipelines.Engine.Kernels;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>Activation layer: hyperbolic tangent.</summary>
public sealed class Tanh() : ActivationLayer(ActivationKind.Tanh);
