using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Nn.Layers;

namespace MlPipelines.Engine.Models.Zoo;

/// <summary>
/// AlexNet as torchvision builds it (the "one weird trick" variant of Krizhevsky 2014: 64-192-384-256-256 filters, no LRN, no
/// groups): features, adaptive average pool to 6x6, classifier with dropout. 61,100,840 parameters at 1000 classes.
/// Needs inputs of at least 63x63.
/// </summary>
internal static class AlexNet
{
    public static Sequential Create(int inChannels, int classes, SeededRandom init)
    {
        var features = new Sequential(
            new Conv2d(inChannels, 64, 11, 4, 2, init: init), new Relu(), new MaxPool2d(3, 2),
            new Conv2d(64, 192, 5, 1, 2, init: init), new Relu(), new MaxPool2d(3, 2),
            new Conv2d(192, 384, 3, 1, 1, init: init), new Relu(),
            new Conv2d(384, 256, 3, 1, 1, init: init), new Relu(),
            new Conv2d(256, 256, 3, 1, 1, init: init), new Relu(), new MaxPool2d(3, 2));
        var classifier = new Sequential(
            new Dropout(0.5f), new Linear(256 * 6 * 6, 4096, init: init), new Relu(),
            new Dropout(0.5f), new Linear(4096, 4096, init: init), new Relu(),
            new Linear(4096, classes, init: init));
        return new Sequential().Add("features", features).Add("avgpool", new AdaptiveAvgPool2d(6)).Add("flatten", new Flatten()).Add("classifier", classifier);
    }
}
