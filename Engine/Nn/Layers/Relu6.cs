using MlPipelines.Engine.Kernels;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>Activation layer: min(max(x, 0), 6).</summary>
public sealed class Relu6() : ActivationLayer(ActivationKind.Relu6);
