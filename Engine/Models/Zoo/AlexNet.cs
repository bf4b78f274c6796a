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

    /// <summary>
    /// The original network of Krizhevsky, Sutskever and Hinton 2012 (Figure 2) on one device: 96-256-384-384-256 filters with
    /// the two-GPU split kept as 2 groups in conv2, conv4 and conv5, local response normalisation (n 5, alpha 1e-4 in Caffe's
    /// per-window convention, beta 0.75, k 2) after conv1 and conv2, overlapping 3x3 stride-2 max pools, then
    /// 4096-4096-classes with dropout. 60,965,224 parameters at 1000 classes; 227x227 inputs give the paper's 55x55 maps.
    /// </summary>
    public static Sequential CreateOriginal(int inChannels, int classes, SeededRandom init)
    {
        var features = new Sequential(
            new Conv2d(inChannels, 96, 11, 4, 0, init: init), new Relu(), new LocalResponseNorm(5, 1e-4f, 0.75f, 2f), new MaxPool2d(3, 2),
            new Conv2d(96, 256, 5, 1, 2, groups: 2, init: init), new Relu(), new LocalResponseNorm(5, 1e-4f, 0.75f, 2f), new MaxPool2d(3, 2),
            new Conv2d(256, 384, 3, 1, 1, init: init), new Relu(),
            new Conv2d(384, 384, 3, 1, 1, groups: 2, init: init), new Relu(),
            new Conv2d(384, 256, 3, 1, 1, groups: 2, init: init), new Relu(), new MaxPool2d(3, 2));
        var classifier = new Sequential(
            new Dropout(0.5f), new Linear(256 * 6 * 6, 4096, init: init), new Relu(),
            new Dropout(0.5f), new Linear(4096, 4096, init: init), new Relu(),
            new Linear(4096, classes, init: init));
        return new Sequential().Add("features", features).Add("avgpool", new AdaptiveAvgPool2d(6)).Add("flatten", new Flatten()).Add("classifier", classifier);
    }
}
