using MlPipelines.Engine.Kernels;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>Activation layer: relu6(x + 3) / 6.</summary>
public sealed class HardSigmoid() : ActivationLayer(ActivationKind.HardSigmoid);
