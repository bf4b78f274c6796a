using MlPipelines.Engine.Kernels;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>Activation layer: x for x &gt; 0, slope x otherwise.</summary>
public sealed class LeakyRelu(float negativeSlope = 0.01f) : ActivationLayer(ActivationKind.LeakyRelu, negativeSlope);
