using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Kernels;

namespace MlPipelines.Engine.Nn.Layers;

/// <summary>
/// torchvision's Conv2dNormActivation: a <see cref="Sequential"/> of a bias-free convolution ("0"), batch norm ("1") and,
/// unless <c>activation</c> is null, an activation ("2"), with "same" padding (kernel - 1) / 2 x dilation.
/// </summary>
public static class ConvNormActivation
{
    /// <summary>Builds the sequence.</summary>
    public static Sequential Create(int inChannels, int outChannels, int kernelSize = 3, int stride = 1, int groups = 1,
        ActivationKind? activation = ActivationKind.Relu, SeededRandom? init = null, float bnEps = 1e-5f, int dilation = 1, float bnMomentum = 0.1f)
    {
        var seq = new Sequential(
            new Conv2d(inChannels, outChannels, kernelSize, stride, (kernelSize - 1) / 2 * dilation, dilation, groups, bias: false, init: init),
            new BatchNorm2d(outChannels, bnEps, bnMomentum));
        if (activation is { } kind) seq.Add(new ActivationLayer(kind));
        return seq;
    }
}
