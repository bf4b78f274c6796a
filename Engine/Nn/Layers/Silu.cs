using MlPipelines.Engine.Kernels;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>Activation layer: x sigmoid(x) (swish).</summary>
public sealed class Silu() : ActivationLayer(ActivationKind.Silu);
