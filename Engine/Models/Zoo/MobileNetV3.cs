using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Nn.Layers;
using ActivationKind = MlPipelines.Engine.Kernels.ActivationKind;

namespace MlPipelines.Engine.Models.Zoo;

/// <summary>
/// MobileNetV3-Large and -Small (Howard et al. 2019, Tables 1 and 2) as torchvision builds them: a 3x3 stride-2 stem with
/// hard-swish, inverted residual blocks (ReLU or hard-swish, squeeze-and-excitation to expanded / 4 rounded to 8 with a
/// hard-sigmoid gate on some), a 1x1 convolution to 6x the last width, global average pool, then Linear - hard-swish -
/// dropout 0.2 - Linear. Batch norm uses eps 1e-3 and momentum 0.01. Large has 5,483,032 parameters at 1000 classes.
/// </summary>
internal static class MobileNetV3
{
    private const bool SE = true, Plain = false, RE = false, HS = true;

    // Input, kernel, expanded, output channels, squeeze-and-excitation, hard-swish, stride.
    private static readonly (int In, int Kernel, int Expanded, int Out, bool Se, bool HardSwish, int Stride)[] Large =
    [
        (16, 3, 16, 16, Plain, RE, 1), (16, 3, 64, 24, Plain, RE, 2), (24, 3, 72, 24, Plain, RE, 1),
        (24, 5, 72, 40, SE, RE, 2), (40, 5, 120, 40, SE, RE, 1), (40, 5, 120, 40, SE, RE, 1),
        (40, 3, 240, 80, Plain, HS, 2), (80, 3, 200, 80, Plain, HS, 1), (80, 3, 184, 80, Plain, HS, 1), (80, 3, 184, 80, Plain, HS, 1),
        (80, 3, 480, 112, SE, HS, 1), (112, 3, 672, 112, SE, HS, 1),
        (112, 5, 672, 160, SE, HS, 2), (160, 5, 960, 160, SE, HS, 1), (160, 5, 960, 160, SE, HS, 1),
    ];

    private static readonly (int In, int Kernel, int Expanded, int Out, bool Se, bool HardSwish, int Stride)[] Small =
    [
        (16, 3, 16, 16, SE, RE, 2), (16, 3, 72, 24, Plain, RE, 2), (24, 3, 88, 24, Plain, RE, 1),
        (24, 5, 96, 40, SE, HS, 2), (40, 5, 240, 40, SE, HS, 1), (40, 5, 240, 40, SE, HS, 1),
        (40, 5, 120, 48, SE, HS, 1), (48, 5, 144, 48, SE, HS, 1),
        (48, 5, 288, 96, SE, HS, 2), (96, 5, 576, 96, SE, HS, 1), (96, 5, 576, 96, SE, HS, 1),
    ];

    public static Sequential Create(bool large, int inChannels, int classes, SeededRandom init)
    {
        var config = large ? Large : Small;
        int lastChannel = large ? 1280 : 1024;
        const float Eps = 1e-3f, Momentum = 0.01f;
        var features = new Sequential(ConvNormActivation.Create(inChannels, 16, 3, 2, activation: ActivationKind.HardSwish, init: init, bnEps: Eps, bnMomentum: Momentum));
        foreach (var b in config)
        {
            var options = new MBConvOptions
            {
                Activation = b.HardSwish ? ActivationKind.HardSwish : ActivationKind.Relu,
                SqueezeChannels = b.Se ? MobileNetV2.MakeDivisible(b.Expanded / 4) : 0,
                SqueezeActivation = ActivationKind.Relu,
                SqueezeGate = ActivationKind.HardSigmoid,
                BatchNormEps = Eps,
                BatchNormMomentum = Momentum,
            };
            features.Add(new MBConv(b.In, b.Out, b.Expanded, b.Kernel, b.Stride, options, init));
        }
        int last = config[^1].Out, head = 6 * last;
        features.Add(ConvNormActivation.Create(last, head, 1, activation: ActivationKind.HardSwish, init: init, bnEps: Eps, bnMomentum: Momentum));
        var classifier = new Sequential(new Linear(head, lastChannel, init: init), new HardSwish(), new Dropout(0.2f), new Linear(lastChannel, classes, init: init));
        var model = new Sequential().Add("features", features).Add("avgpool", new GlobalAvgPool2d()).Add("classifier", classifier);
        ZooInit.KaimingConvs(model, init);
        ZooInit.NormalLinears(model, init, 0.01);
        return model;
    }
}
