using MlPipelines.Engine.Kernels;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>Activation layer: max(x, 0).</summary>
public sealed class Relu() : ActivationLayer(ActivationKind.Relu);
