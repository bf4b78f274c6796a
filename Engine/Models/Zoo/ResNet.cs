using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Init;
using MlPipelines.Engine.Nn.Layers;

namespace MlPipelines.Engine.Models.Zoo;

/// <summary>
/// ImageNet ResNets (He et al. 2016) in torchvision's layout and state-dict names (conv1, bn1, layer1.0.conv1, ...,
/// layerN.0.downsample.0, fc): basic blocks for 18/34 layers, v1.5 bottlenecks (stride on the 3x3) for 50/101/152, and the
/// ResNeXt (Xie et al. 2017) and Wide ResNet variants through the bottleneck's groups and width. Needs inputs of at least 32x32.
/// </summary>
internal static class ResNet
{
    public static Sequential Create(bool bottleneck, int[] blocks, int inChannels, int classes, SeededRandom init, int groups = 1, int widthPerGroup = 64)
    {
        var conv1 = new Conv2d(inChannels, 64, 7, 2, 3, bias: false, init: init);
        Initializers.KaimingNormal(conv1.Weight.Value, init, fanOut: true);
        var model = new Sequential().Add("conv1", conv1).Add("bn1", new BatchNorm2d(64)).Add("relu", new Relu()).Add("maxpool", new MaxPool2d(3, 2, 1));
        int c = 64;
        int[] planes = [64, 128, 256, 512];
        for (int stage = 0; stage < 4; stage++)
        {
            var layer = new Sequential();
            for (int i = 0; i < blocks[stage]; i++)
            {
                int stride = i == 0 && stage > 0 ? 2 : 1;
                if (bottleneck)
                {
                    layer.Add(new Bottleneck(c, planes[stage], stride, groups, widthPerGroup, init));
                    c = planes[stage] * Bottleneck.Expansion;
                }
                else
                {
                    layer.Add(new BasicBlock(c, planes[stage], stride, init, shortcutName: "downsample"));
                    c = planes[stage];
                }
            }
            model.Add("layer" + (stage + 1), layer);
        }
        return model.Add("avgpool", new GlobalAvgPool2d()).Add("fc", new Linear(c, classes, init: init));
    }
}
