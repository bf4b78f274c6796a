using MlPipelines.Engine.Compute;
using ActivationKind = MlPipelines.Engine.Kernels.ActivationKind;
using MlPipelines.Engine.Nn.Layers;

namespace MlPipelines.Engine.Models.Zoo;

/// <summary>
/// MobileNet v1 (Howard et al. 2017, Table 1) with width multiplier alpha: a 3x3 stride-2 convolution to 32 alpha channels, then
/// thirteen depthwise-separable pairs (3x3 depthwise + BN + ReLU, 1x1 pointwise + BN + ReLU) widening to 1024 alpha, global
/// average pool and a linear classifier. 4,231,976 parameters at alpha 1 and 1000 classes (Keras' trainable count).
/// </summary>
internal static class MobileNetV1
{
    // (pointwise output channels, depthwise stride) of the thirteen separable layers.
    private static readonly (int Channels, int Stride)[] Layers =
    [
        (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
        (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1),
    ];

    public static Sequential Create(double alpha, int inChannels, int classes, SeededRandom init)
    {
        int Width(int ch) => (int)(ch * alpha);
        var features = new Sequential(ConvNormActivation.Create(inChannels, Width(32), 3, 2, init: init));
        int c = Width(32);
        foreach (var (channels, stride) in Layers)
        {
            int o = Width(channels);
            features.Add(new Sequential(
                ConvNormActivation.Create(c, c, 3, stride, c, ActivationKind.Relu, init),
                ConvNormActivation.Create(c, o, 1, init: init)));
            c = o;
        }
        var model = new Sequential().Add("features", features).Add("avgpool", new GlobalAvgPool2d()).Add("classifier", new Linear(c, classes, init: init));
        ZooInit.KaimingConvs(features, init);
        return model;
    }
}
