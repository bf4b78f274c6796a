using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Nn;
using MlPipelines.Engine.Nn.Layers;

namespace MlPipelines.Engine.Models.Zoo;

/// <summary>
/// Xception (Chollet 2017, Figure 5): entry flow (two plain 3x3 convolutions, three residual blocks of separable
/// convolutions ending in a stride-2 3x3 max pool, 1x1 strided projection shortcuts), middle flow (eight identity blocks
/// of three ReLU-separable-BN units at 728 channels), exit flow (a 728 to 1024 block, separable convolutions to 1536 and
/// 2048), global average pool, linear. Every separable convolution is a 3x3 depthwise ("conv1") then a 1x1 pointwise
/// ("pointwise") convolution without bias and without a nonlinearity between them. Names follow the Cadene/timm port
/// (block1.rep.0.conv1.weight), except that a projection is "skip.0" / "skip.1". 22,855,952 parameters at 1000 classes
/// (Keras' trainable count); designed for 299x299, works from 71x71.
/// </summary>
internal static class Xception
{
    public static Sequential Create(int inChannels, int classes, SeededRandom init)
    {
        var model = new Sequential()
            .Add("conv1", new Conv2d(inChannels, 32, 3, 2, 0, bias: false, init: init)).Add("bn1", new BatchNorm2d(32)).Add("relu1", new Relu())
            .Add("conv2", new Conv2d(32, 64, 3, 1, 0, bias: false, init: init)).Add("bn2", new BatchNorm2d(64)).Add("relu2", new Relu())
            .Add("block1", Block(64, 128, 2, 2, false, true, init))
            .Add("block2", Block(128, 256, 2, 2, true, true, init))
            .Add("block3", Block(256, 728, 2, 2, true, true, init));
        for (int i = 4; i <= 11; i++) model.Add("block" + i, Block(728, 728, 3, 1, true, true, init));
        model.Add("block12", Block(728, 1024, 2, 2, true, false, init))
            .Add("conv3", Separable(1024, 1536, init)).Add("bn3", new BatchNorm2d(1536)).Add("relu3", new Relu())
            .Add("conv4", Separable(1536, 2048, init)).Add("bn4", new BatchNorm2d(2048)).Add("relu4", new Relu())
            .Add("avgpool", new GlobalAvgPool2d()).Add("fc", new Linear(2048, classes, init: init));
        return model;
    }

    /// <summary>A residual block of <paramref name="reps"/> (ReLU, separable conv, BN) units; widening first or last.</summary>
    private static Residual Block(int inChannels, int outChannels, int reps, int stride, bool startWithRelu, bool growFirst, SeededRandom init)
    {
        var units = new List<Module>();
        int c = inChannels;
        if (growFirst)
        {
            units.AddRange([new Relu(), Separable(inChannels, outChannels, init), new BatchNorm2d(outChannels)]);
            c = outChannels;
        }
        for (int i = 0; i < reps - 1; i++) units.AddRange([new Relu(), Separable(c, c, init), new BatchNorm2d(c)]);
        if (!growFirst) units.AddRange([new Relu(), Separable(inChannels, outChannels, init), new BatchNorm2d(outChannels)]);
        if (!startWithRelu) units.RemoveAt(0);
        if (stride != 1) units.Add(new MaxPool2d(3, stride, 1));
        Sequential? skip = outChannels != inChannels || stride != 1
            ? new Sequential(new Conv2d(inChannels, outChannels, 1, stride, 0, bias: false, init: init), new BatchNorm2d(outChannels))
            : null;
        return new Residual("rep", new Sequential([.. units]), skip is null ? null : "skip", skip);
    }

    private static Sequential Separable(int inChannels, int outChannels, SeededRandom init) =>
        new Sequential().Add("conv1", new Conv2d(inChannels, inChannels, 3, 1, 1, groups: inChannels, bias: false, init: init))
            .Add("pointwise", new Conv2d(inChannels, outChannels, 1, bias: false, init: init));
}
