using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Init;
using MlPipelines.Engine.Nn.Layers;

namespace MlPipelines.Engine.Models.Zoo;

/// <summary>
/// GoogLeNet / Inception v1 (Szegedy et al. 2015, Table 1) as torchvision builds it: every convolution is conv + BN (eps 1e-3)
/// + ReLU, nine inception modules of four branches joined along the channels, global average pool, dropout 0.2, linear. Like
/// torchvision (and its pretrained weights) the "5x5" branch uses a 3x3 kernel. With <c>auxiliary</c> the two
/// <see cref="AuxiliaryClassifier"/> heads "aux1" and "aux2" tap the outputs of inception 4a and 4d (training only).
/// 6,624,904 parameters at 1000 classes, 13,004,888 with the auxiliary heads.
/// </summary>
internal static class GoogLeNet
{
    public static Sequential Create(int inChannels, int classes, SeededRandom init, bool auxiliary = false)
    {
        var model = new Sequential()
            .Add("conv1", Basic(inChannels, 64, 7, 2, 3, init)).Add("maxpool1", new MaxPool2d(3, 2, ceilMode: true))
            .Add("conv2", Basic(64, 64, 1, 1, 0, init)).Add("conv3", Basic(64, 192, 3, 1, 1, init)).Add("maxpool2", new MaxPool2d(3, 2, ceilMode: true))
            .Add("inception3a", Inception(192, 64, 96, 128, 16, 32, 32, init))
            .Add("inception3b", Inception(256, 128, 128, 192, 32, 96, 64, init))
            .Add("maxpool3", new MaxPool2d(3, 2, ceilMode: true))
            .Add("inception4a", Inception(480, 192, 96, 208, 16, 48, 64, init));
        if (auxiliary) model.Add("aux1", new AuxiliaryClassifier(512, classes, init));
        model.Add("inception4b", Inception(512, 160, 112, 224, 24, 64, 64, init))
            .Add("inception4c", Inception(512, 128, 128, 256, 24, 64, 64, init))
            .Add("inception4d", Inception(512, 112, 144, 288, 32, 64, 64, init));
        if (auxiliary) model.Add("aux2", new AuxiliaryClassifier(528, classes, init));
        model.Add("inception4e", Inception(528, 256, 160, 320, 32, 128, 128, init))
            .Add("maxpool4", new MaxPool2d(2, 2, ceilMode: true))
            .Add("inception5a", Inception(832, 256, 160, 320, 32, 128, 128, init))
            .Add("inception5b", Inception(832, 384, 192, 384, 48, 128, 128, init))
            .Add("avgpool", new GlobalAvgPool2d()).Add("dropout", new Dropout(0.2f)).Add("fc", new Linear(1024, classes, init: init));
        // torchvision: trunc_normal_(std 0.01, a -2, b 2) for convolutions and linear layers (the auxiliary heads' too); the bounds are absolute (200 sigma),
        // so this is a plain normal.
        foreach (var (_, m) in model.NamedModules())
        {
            if (m is Conv2d conv) Initializers.Normal(conv.Weight.Value, init, 0, 0.01);
            if (m is Linear linear) Initializers.Normal(linear.Weight.Value, init, 0, 0.01);
        }
        return model;
    }

    /// <summary>One inception module: 1x1 | 1x1 then 3x3 | 1x1 then "5x5" (3x3) | 3x3 max pool then 1x1.</summary>
    public static ChannelConcat Inception(int inChannels, int ch1x1, int ch3x3Reduce, int ch3x3, int ch5x5Reduce, int ch5x5, int poolProjection, SeededRandom init) =>
        new(("branch1", Basic(inChannels, ch1x1, 1, 1, 0, init)),
            ("branch2", new Sequential(Basic(inChannels, ch3x3Reduce, 1, 1, 0, init), Basic(ch3x3Reduce, ch3x3, 3, 1, 1, init))),
            ("branch3", new Sequential(Basic(inChannels, ch5x5Reduce, 1, 1, 0, init), Basic(ch5x5Reduce, ch5x5, 3, 1, 1, init))),
            ("branch4", new Sequential(new MaxPool2d(3, 1, 1, ceilMode: true), Basic(inChannels, poolProjection, 1, 1, 0, init))));

    /// <summary>torchvision's BasicConv2d: conv (no bias) "conv", batch norm (eps 1e-3) "bn", ReLU.</summary>
    private static Sequential Basic(int inChannels, int outChannels, int kernel, int stride, int padding, SeededRandom init) =>
        new Sequential().Add("conv", new Conv2d(inChannels, outChannels, kernel, stride, padding, bias: false, init: init))
            .Add("bn", new BatchNorm2d(outChannels, 1e-3f)).Add("relu", new Relu());
}
