using System.Globalization;
using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Nn;

namespace MlPipelines.Engine.Models.Zoo;

/// <summary>
/// The classic image-classification architectures, built from engine modules exactly as published. Where torchvision has the
/// model its layout and state-dict names are used (so its weights load by name); MLP-Mixer follows timm's names, Xception
/// the Cadene/timm port's (projection shortcuts as "skip.0"/"skip.1"). Names are lower case, e.g. "alexnet", "vgg16-bn",
/// "resnet50", "resnext50-32x4d", "mobilenet-v1-0.5", "mobilenet-v2", "mobilenet-v3-large", "efficientnet-b0", "googlenet",
/// "googlenet-aux" (with the training-only auxiliary classifiers),
/// "xception", "mixer-b16", "vit-b16"; <see cref="Names"/> lists them all.
/// </summary>
public static class ModelZoo
{
    private delegate Module Builder(int inChannels, int classes, int inputSize, SeededRandom init);

    private static readonly (string Name, Builder Build)[] Registry = BuildRegistry();

    /// <summary>Every architecture name <see cref="Create"/> accepts, in the zoo's order.</summary>
    public static IReadOnlyList<string> Names { get; } = Registry.Select(r => r.Name).ToArray();

    /// <summary>
    /// Builds architecture <paramref name="name"/> for <paramref name="inChannels"/>-channel square inputs of
    /// <paramref name="inputSize"/> pixels and <paramref name="classes"/> classes, with weights drawn from <paramref name="seed"/>
    /// (torchvision's initialisation schemes). The model is in training mode. Convolutional networks take any input at least
    /// as large as their minimum; MLP-Mixer and ViT are built for exactly <paramref name="inputSize"/> (their token count).
    /// Throws when the name is unknown or the architecture cannot take inputs that small.
    /// </summary>
    public static Module Create(string name, int inChannels = 3, int classes = 1000, int inputSize = 224, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        int index = Array.FindIndex(Registry, r => r.Name == name.ToLowerInvariant());
        if (index < 0)
            throw new ArgumentException($"Unknown model '{name}'. Known models: {string.Join(", ", Names)}.", nameof(name));
        Module model = Registry[index].Build(inChannels, classes, inputSize, new SeededRandom(seed));
        int[] output;
        try
        {
            output = model.OutputShape([1, inChannels, inputSize, inputSize]);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize,
                $"{Registry[index].Name} cannot take {inputSize}x{inputSize} inputs: {e.Message}");
        }
        if (output.Length != 2 || output[1] != classes)
            throw new InvalidOperationException($"{Registry[index].Name} produced output [{string.Join(", ", output)}] instead of [1, {classes}].");
        return model;
    }

    private static (string, Builder)[] BuildRegistry()
    {
        var list = new List<(string, Builder)>
        {
            ("alexnet", (c, k, _, r) => AlexNet.Create(c, k, r)),
            ("alexnet-original", (c, k, _, r) => AlexNet.CreateOriginal(c, k, r)),
        };
        foreach (int depth in Vgg.Depths)
        {
            list.Add(($"vgg{depth}", (c, k, _, r) => Vgg.Create(depth, false, c, k, r)));
            list.Add(($"vgg{depth}-bn", (c, k, _, r) => Vgg.Create(depth, true, c, k, r)));
        }
        list.Add(("resnet18", (c, k, _, r) => ResNet.Create(false, [2, 2, 2, 2], c, k, r)));
        list.Add(("resnet34", (c, k, _, r) => ResNet.Create(false, [3, 4, 6, 3], c, k, r)));
        list.Add(("resnet50", (c, k, _, r) => ResNet.Create(true, [3, 4, 6, 3], c, k, r)));
        list.Add(("resnet101", (c, k, _, r) => ResNet.Create(true, [3, 4, 23, 3], c, k, r)));
        list.Add(("resnet152", (c, k, _, r) => ResNet.Create(true, [3, 8, 36, 3], c, k, r)));
        list.Add(("resnext50-32x4d", (c, k, _, r) => ResNet.Create(true, [3, 4, 6, 3], c, k, r, groups: 32, widthPerGroup: 4)));
        list.Add(("resnext101-32x8d", (c, k, _, r) => ResNet.Create(true, [3, 4, 23, 3], c, k, r, groups: 32, widthPerGroup: 8)));
        list.Add(("wide-resnet50-2", (c, k, _, r) => ResNet.Create(true, [3, 4, 6, 3], c, k, r, widthPerGroup: 128)));
        foreach (double alpha in new[] { 1.0, 0.75, 0.5, 0.25 })
            list.Add((WithWidth("mobilenet-v1", alpha), (c, k, _, r) => MobileNetV1.Create(alpha, c, k, r)));
        foreach (double width in new[] { 1.0, 0.75, 0.5, 0.35, 0.25 })
            list.Add((WithWidth("mobilenet-v2", width), (c, k, _, r) => MobileNetV2.Create(width, c, k, r)));
        list.Add(("mobilenet-v3-large", (c, k, _, r) => MobileNetV3.Create(true, c, k, r)));
        list.Add(("mobilenet-v3-small", (c, k, _, r) => MobileNetV3.Create(false, c, k, r)));
        for (int b = 0; b < EfficientNet.Coefficients.Length; b++)
        {
            int variant = b;
            list.Add(($"efficientnet-b{b}", (c, k, _, r) => EfficientNet.Create(variant, c, k, r)));
        }
        list.Add(("googlenet", (c, k, _, r) => GoogLeNet.Create(c, k, r)));
        list.Add(("googlenet-aux", (c, k, _, r) => GoogLeNet.Create(c, k, r, auxiliary: true)));
        list.Add(("xception", (c, k, _, r) => Xception.Create(c, k, r)));
        foreach (string size in MlpMixer.Sizes.Keys)
            list.Add(($"mixer-{size}", (c, k, n, r) => MlpMixer.Create(size, c, k, n, r)));
        foreach (string size in ViT.Sizes.Keys)
            list.Add(($"vit-{size}", (c, k, n, r) => ViT.Create(size, c, k, n, r)));
        return [.. list];
    }

    private static string WithWidth(string name, double width) =>
        width == 1.0 ? name : name + "-" + width.ToString("0.0#", CultureInfo.InvariantCulture);
}
