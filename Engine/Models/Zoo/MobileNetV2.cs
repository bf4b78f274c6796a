using MlPipelines.Engine.Compute;
using ActivationKind = MlPipelines.Engine.Kernels.ActivationKind;
using MlPipelines.Engine.Nn.Layers;

namespace MlPipelines.Engine.Models.Zoo;

/// <summary>
/// MobileNetV2 (Sandler et al. 2018, Table 2) as torchvision builds it, with width multiplier: features.0 a 3x3 stride-2
/// convolution + BN + ReLU6, features.1..17 inverted residual blocks, features.18 a 1x1 convolution to 1280 channels,
/// global average pool, classifier = dropout 0.2 + linear. 3,504,872 parameters at width 1 and 1000 classes.
/// </summary>
internal static class MobileNetV2
{
    // Expansion t, output channels c, repeats n, first stride s.
    private static readonly (int T, int C, int N, int S)[] Settings =
        [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)];

    public static Sequential Create(double width, int inChannels, int classes, SeededRandom init)
    {
        int c = MakeDivisible(32 * width);
        int last = MakeDivisible(1280 * Math.Max(1.0, width));
        var features = new Sequential(ConvNormActivation.Create(inChannels, c, 3, 2, activation: ActivationKind.Relu6, init: init));
        foreach (var (t, channels, n, s) in Settings)
        {
            int o = MakeDivisible(channels * width);
            for (int i = 0; i < n; i++)
            {
                features.Add(new InvertedResidual(c, o, i == 0 ? s : 1, t, init));
                c = o;
            }
        }
        features.Add(ConvNormActivation.Create(c, last, 1, activation: ActivationKind.Relu6, init: init));
        var model = new Sequential().Add("features", features).Add("avgpool", new GlobalAvgPool2d())
            .Add("classifier", new Sequential(new Dropout(0.2f), new Linear(last, classes, init: init)));
        ZooInit.KaimingConvs(model, init);
        ZooInit.NormalLinears(model, init, 0.01);
        return model;
    }

    /// <summary>
    /// Rounds a channel count to the nearest multiple of <paramref name="divisor"/> (at least the divisor), going up one step when
    /// rounding down would lose more than 10% (the TensorFlow reference's _make_divisible).
    /// </summary>
    public static int MakeDivisible(double value, int divisor = 8)
    {
        int rounded = Math.Max(divisor, (int)(value + divisor / 2.0) / divisor * divisor);
        return rounded < 0.9 * value ? rounded + divisor : rounded;
    }
}
