using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Init;
using MlPipelines.Engine.Nn.Layers;

namespace MlPipelines.Engine.Models;

/// <summary>
/// The engine's reference networks, built from its modules exactly as the anchors define them
/// (../shared/anchors/fmnist_common.py): LeNet-5, a small VGG with batch norm, and the CIFAR ResNets.
/// Input channels, input size and class count come from the caller; weights from the seed.
/// </summary>
public static class ReferenceModels
{
    /// <summary>
    /// LeNet-5: conv5x5x6 (pad 2) - ReLU - maxpool2 - conv5x5x16 - ReLU - maxpool2 - fc120 - fc84 - fc(classes).
    /// 61,706 parameters at 28x28x1 and 10 classes.
    /// </summary>
    public static Sequential LeNet5(int inChannels = 1, int classes = 10, int inputSize = 28, ulong seed = 0)
    {
        var init = new SeededRandom(seed);
        int s = (inputSize + 4 - 4) / 2;   // conv1 keeps the size (pad 2), pool halves it
        s = (s - 4) / 2;                   // conv2 5x5 valid, pool halves
        if (s < 1) throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "LeNet-5 needs inputs of at least 12x12.");
        return new Sequential()
            .Add("conv1", new Conv2d(inChannels, 6, 5, padding: 2, init: init)).Add("relu1", new Relu()).Add("pool1", new MaxPool2d(2))
            .Add("conv2", new Conv2d(6, 16, 5, init: init)).Add("relu2", new Relu()).Add("pool2", new MaxPool2d(2))
            .Add("flatten", new Flatten())
            .Add("fc1", new Linear(16 * s * s, 120, init: init)).Add("relu3", new Relu())
            .Add("fc2", new Linear(120, 84, init: init)).Add("relu4", new Relu())
            .Add("fc3", new Linear(84, classes, init: init));
    }

    /// <summary>
    /// Small VGG: [conv3x3-BN-ReLU] x2 (32) - maxpool - [conv3x3-BN-ReLU] x2 (64) - maxpool - fc256 - ReLU - dropout 0.25 - fc(classes).
    /// 870,826 parameters at 28x28x1 and 10 classes.
    /// </summary>
    public static Sequential SmallVgg(int inChannels = 1, int classes = 10, int inputSize = 28, ulong seed = 0)
    {
        var init = new SeededRandom(seed);
        var features = new Sequential();
        int c = inChannels;
        foreach (int width in new[] { 32, 32, 0, 64, 64, 0 })
        {
            if (width == 0)
            {
                features.Add(new MaxPool2d(2));
                continue;
            }
            features.Add(new Conv2d(c, width, 3, 1, 1, bias: false, init: init)).Add(new BatchNorm2d(width)).Add(new Relu());
            c = width;
        }
        int s = inputSize / 4;
        if (s < 1) throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "The small VGG needs inputs of at least 4x4.");
        var classifier = new Sequential(new Flatten(), new Linear(64 * s * s, 256, init: init), new Relu(), new Dropout(0.25f), new Linear(256, classes, init: init));
        return new Sequential().Add("features", features).Add("classifier", classifier);
    }

    /// <summary>
    /// CIFAR ResNet (He et al. 2016) of depth 6n + 2 (20, 32, 44, 56, 110): conv3x3 16 - BN - ReLU, three stages of n basic
    /// blocks (16, 32, 64 channels; stride 1, 2, 2; projection shortcuts), global average pool, fc(classes).
    /// ResNet-20 has 272,186 parameters with 1 input channel and 10 classes.
    /// </summary>
    public static Sequential ResNetCifar(int depth = 20, int inChannels = 1, int classes = 10, ulong seed = 0)
    {
        if (depth < 8 || (depth - 2) % 6 != 0)
            throw new ArgumentOutOfRangeException(nameof(depth), depth, "CIFAR ResNet depth must be 6n + 2 (20, 32, 44, 56, 110).");
        int n = (depth - 2) / 6;
        var init = new SeededRandom(seed);
        var stemConv = new Conv2d(inChannels, 16, 3, 1, 1, bias: false, init: init);
        Initializers.KaimingNormal(stemConv.Weight.Value, init, fanOut: true);
        var stem = new Sequential(stemConv, new BatchNorm2d(16), new Relu());
        var layers = new Sequential();
        int c = 16;
        foreach (var (width, stride) in new[] { (16, 1), (32, 2), (64, 2) })
            for (int i = 0; i < n; i++)
            {
                layers.Add(new BasicBlock(c, width, i == 0 ? stride : 1, init));
                c = width;
            }
        return new Sequential().Add("stem", stem).Add("layers", layers).Add("pool", new GlobalAvgPool2d()).Add("fc", new Linear(64, classes, init: init));
    }

    /// <summary>
    /// ResNet-18 in the ImageNet layout (He et al. 2016): conv7x7 64 stride 2 - BN - ReLU - maxpool3 stride 2, four stages of two
    /// basic blocks (64, 128, 256, 512 channels; stride 1, 2, 2, 2; projection shortcuts), global average pool, fc(classes).
    /// Any input of at least 32x32 works (the global pool absorbs the final size). 11,689,512 parameters at 3 channels and 1000 classes.
    /// </summary>
    public static Sequential ResNet18(int inChannels = 3, int classes = 1000, ulong seed = 0)
    {
        var init = new SeededRandom(seed);
        var stemConv = new Conv2d(inChannels, 64, 7, 2, 3, bias: false, init: init);
        Initializers.KaimingNormal(stemConv.Weight.Value, init, fanOut: true);
        var stem = new Sequential().Add("conv", stemConv).Add("bn", new BatchNorm2d(64)).Add("relu", new Relu()).Add("pool", new MaxPool2d(3, 2, 1));
        var layers = new Sequential();
        int c = 64;
        foreach (var (width, stride) in new[] { (64, 1), (128, 2), (256, 2), (512, 2) })
            for (int i = 0; i < 2; i++)
            {
                layers.Add(new BasicBlock(c, width, i == 0 ? stride : 1, init));
                c = width;
            }
        return new Sequential().Add("stem", stem).Add("layers", layers).Add("pool", new GlobalAvgPool2d()).Add("fc", new Linear(512, classes, init: init));
    }
}
