using MlPipelines.Engine.Kernels;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>Activation layer: x relu6(x + 3) / 6.</summary>
public sealed class HardSwish() : ActivationLayer(ActivationKind.HardSwish);
