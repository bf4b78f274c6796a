using MlPipelines.Engine.Kernels;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>Activation layer: the logistic function.</summary>
public sealed class Sigmoid() : ActivationLayer(ActivationKind.Sigmoid);
