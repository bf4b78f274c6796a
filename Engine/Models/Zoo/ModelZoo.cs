using System.Globalization;
using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Nn;

namespace MlPipelines.Engine.Models.Zoo;

/// <summary>
/// The classic image-classification architectures, built from engine modules exactly as published (and as torchvision builds
/// them, with torchvision's state-dict names, so its weights load by name). Names are lower case: "alexnet", "vgg11" ..
/// "vgg19-bn", "resnet18" .. "resnet152", "resnext50-32x4d", "mobilenet-v1", "mobilenet-v2", "efficientnet-b0" .., "googlenet", "xception".
/// </summary>
public static class ModelZoo
{
    private delegate Module Builder(int inChannels, int classes, SeededRandom init);

    private static readonly (string Name, Builder Build)[] Registry = BuildRegistry();

    /// <summary>Every architecture name <see cref="Create"/> accepts, in the zoo's order.</summary>
    public static IReadOnlyList<string> Names { get; } = Registry.Select(r => r.Name).ToArray();

    /// <summary>
    /// Builds architecture <paramref name="name"/> for <paramref name="inChannels"/>-channel square inputs of
    /// <paramref name="inputSize"/> pixels and <paramref name="classes"/> classes, with weights drawn from <paramref name="seed"/>
    /// (torchvision's initialisation schemes). The model is in training mode. Throws when the name is unknown or the
    /// architecture cannot take inputs that small.
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
        Module model = Registry[index].Build(inChannels, classes, new SeededRandom(seed));
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
        var list = new List<(string, Builder)> { ("alexnet", AlexNet.Create) };
        foreach (int depth in Vgg.Depths)
        {
            list.Add(($"vgg{depth}", (c, k, r) => Vgg.Create(depth, false, c, k, r)));
            list.Add(($"vgg{depth}-bn", (c, k, r) => Vgg.Create(depth, true, c, k, r)));
        }
        list.Add(("resnet18", (c, k, r) => ResNet.Create(false, [2, 2, 2, 2], c, k, r)));
        list.Add(("resnet34", (c, k, r) => ResNet.Create(false, [3, 4, 6, 3], c, k, r)));
        list.Add(("resnet50", (c, k, r) => ResNet.Create(true, [3, 4, 6, 3], c, k, r)));
        list.Add(("resnet101", (c, k, r) => ResNet.Create(true, [3, 4, 23, 3], c, k, r)));
        list.Add(("resnet152", (c, k, r) => ResNet.Create(true, [3, 8, 36, 3], c, k, r)));
        list.Add(("resnext50-32x4d", (c, k, r) => ResNet.Create(true, [3, 4, 6, 3], c, k, r, groups: 32, widthPerGroup: 4)));
        list.Add(("resnext101-32x8d", (c, k, r) => ResNet.Create(true, [3, 4, 23, 3], c, k, r, groups: 32, widthPerGroup: 8)));
        list.Add(("wide-resnet50-2", (c, k, r) => ResNet.Create(true, [3, 4, 6, 3], c, k, r, widthPerGroup: 128)));
        foreach (double alpha in new[] { 1.0, 0.75, 0.5, 0.25 })
            list.Add((WithWidth("mobilenet-v1", alpha), (c, k, r) => MobileNetV1.Create(alpha, c, k, r)));
        foreach (double width in new[] { 1.0, 0.75, 0.5, 0.35, 0.25 })
            list.Add((WithWidth("mobilenet-v2", width), (c, k, r) => MobileNetV2.Create(width, c, k, r)));
        for (int b = 0; b < EfficientNet.Coefficients.Length; b++)
        {
            int variant = b;
            list.Add(($"efficientnet-b{b}", (c, k, r) => EfficientNet.Create(variant, c, k, r)));
        }
        list.Add(("googlenet", GoogLeNet.Create));
        list.Add(("xception", Xception.Create));
        return [.. list];
    }

    private static string WithWidth(string name, double width) =>
        width == 1.0 ? name : name + "-" + width.ToString("0.0#", CultureInfo.InvariantCulture);
}
