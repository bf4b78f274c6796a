using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Nn.Layers;

namespace MlPipelines.Engine.Models.Zoo;

/// <summary>
/// VGG (Simonyan and Zisserman 2015) configurations A (11), B (13), D (16) and E (19) weight layers, with or without batch norm
/// after each convolution, as torchvision builds them: 3x3 convolutions with bias, 2x2 max pools, adaptive average pool to 7x7,
/// classifier 4096-4096-classes with ReLU and dropout. Needs inputs of at least 32x32. Convolutions get torchvision's
/// Kaiming-normal initialisation; the linear layers keep PyTorch's default (torchvision redraws them from N(0, 0.01)),
/// which saves a second pass over their 120 million weights.
/// </summary>
internal static class Vgg
{
    private const int Pool = 0;

    private static readonly Dictionary<int, int[]> Configs = new()
    {
        [11] = [64, Pool, 128, Pool, 256, 256, Pool, 512, 512, Pool, 512, 512, Pool],
        [13] = [64, 64, Pool, 128, 128, Pool, 256, 256, Pool, 512, 512, Pool, 512, 512, Pool],
        [16] = [64, 64, Pool, 128, 128, Pool, 256, 256, 256, Pool, 512, 512, 512, Pool, 512, 512, 512, Pool],
        [19] = [64, 64, Pool, 128, 128, Pool, 256, 256, 256, 256, Pool, 512, 512, 512, 512, Pool, 512, 512, 512, 512, Pool],
    };

    public static IEnumerable<int> Depths => Configs.Keys;

    public static Sequential Create(int depth, bool batchNorm, int inChannels, int classes, SeededRandom init)
    {
        var features = new Sequential();
        int c = inChannels;
        foreach (int width in Configs[depth])
        {
            if (width == Pool)
            {
                features.Add(new MaxPool2d(2, 2));
                continue;
            }
            features.Add(new Conv2d(c, width, 3, 1, 1, init: init));
            if (batchNorm) features.Add(new BatchNorm2d(width));
            features.Add(new Relu());
            c = width;
        }
        var classifier = new Sequential(
            new Linear(512 * 7 * 7, 4096, init: init), new Relu(), new Dropout(0.5f),
            new Linear(4096, 4096, init: init), new Relu(), new Dropout(0.5f),
            new Linear(4096, classes, init: init));
        var model = new Sequential().Add("features", features).Add("avgpool", new AdaptiveAvgPool2d(7)).Add("flatten", new Flatten()).Add("classifier", classifier);
        ZooInit.KaimingConvs(features, init);
        return model;
    }
}
