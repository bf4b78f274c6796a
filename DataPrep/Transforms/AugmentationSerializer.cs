using System.Text.Json.Nodes;
using MlPipelines.DataPrep.Augmentation;
using MlPipelines.DataPrep.Processing;

namespace MlPipelines.DataPrep.Transforms;

/// <summary>
/// Writes the built-in augmentations (Compose, RandomResizedCrop, RandomCrop, RandomFlip, ColorJitter) as JSON for model
/// files and reads them back; others are saved by name only and come back as null.
/// </summary>
internal static class AugmentationSerializer
{
    private const int MaxDepth = 16;

    public static JsonObject Write(IImageAugmentation augmentation) => augmentation switch
    {
        Compose c => new JsonObject { ["kind"] = "Compose", ["steps"] = new JsonArray(c.Steps.Select(s => (JsonNode)Write(s)).ToArray()) },
        RandomResizedCrop r => new JsonObject
        {
            ["kind"] = "RandomResizedCrop", ["width"] = r.Width, ["height"] = r.Height, ["scaleMin"] = r.Scale.Min, ["scaleMax"] = r.Scale.Max,
            ["ratioMin"] = r.Ratio.Min, ["ratioMax"] = r.Ratio.Max, ["filter"] = r.Filter.ToString(),
        },
        RandomCrop r => new JsonObject
        {
            ["kind"] = "RandomCrop", ["width"] = r.Width, ["height"] = r.Height, ["padding"] = r.Padding, ["mode"] = r.Mode.ToString(), ["fill"] = r.Fill,
        },
        RandomFlip f => new JsonObject { ["kind"] = "RandomFlip", ["horizontal"] = f.HorizontalProbability, ["vertical"] = f.VerticalProbability },
        ColorJitter j => new JsonObject
        {
            ["kind"] = "ColorJitter", ["brightness"] = j.Brightness, ["contrast"] = j.Contrast, ["saturation"] = j.Saturation, ["hue"] = j.Hue,
        },
        _ => new JsonObject { ["kind"] = "Opaque", ["name"] = augmentation.Name },
    };

    /// <summary>The augmentation described by <paramref name="node"/>, or null when it was saved by name only.</summary>
    public static IImageAugmentation? Read(JsonNode? node, int depth = 0)
    {
        if (depth > MaxDepth) throw new FormatException("Augmentations nest too deeply.");
        if (node is not JsonObject o) throw new FormatException("An augmentation entry is not a JSON object.");
        string kind = o["kind"]?.GetValue<string>() ?? throw new FormatException("An augmentation entry has no kind.");
        switch (kind)
        {
            case "Compose":
                var steps = (o["steps"] as JsonArray ?? throw new FormatException("Compose has no steps.")).Select(s => Read(s, depth + 1)).ToArray();
                return steps.Any(s => s is null) ? null : new Compose(steps!);
            case "RandomResizedCrop":
                return new RandomResizedCrop(Int(o, "width"), Int(o, "height"), (Double(o, "scaleMin"), Double(o, "scaleMax")),
                    (Double(o, "ratioMin"), Double(o, "ratioMax")), Enum<ResamplingFilter>(o, "filter"));
            case "RandomCrop":
                return new RandomCrop(Int(o, "width"), Int(o, "height"), Int(o, "padding"), Enum<PaddingMode>(o, "mode"), checked((byte)Int(o, "fill")));
            case "RandomFlip":
                return new RandomFlip(Double(o, "horizontal"), Double(o, "vertical"));
            case "ColorJitter":
                return new ColorJitter(Double(o, "brightness"), Double(o, "contrast"), Double(o, "saturation"), Double(o, "hue"));
            case "Opaque":
                return null;
            default:
                throw new FormatException($"Unknown augmentation kind '{(kind.Length > 40 ? kind[..40] : kind)}'.");
        }
    }

    private static int Int(JsonObject o, string name) => o[name]?.GetValue<int>() ?? throw new FormatException($"Augmentation field '{name}' is missing.");

    private static double Double(JsonObject o, string name) => o[name]?.GetValue<double>() ?? throw new FormatException($"Augmentation field '{name}' is missing.");

    private static T Enum<T>(JsonObject o, string name)
        where T : struct, Enum =>
        System.Enum.TryParse<T>(o[name]?.GetValue<string>(), out var value) && System.Enum.IsDefined(value)
            ? value : throw new FormatException($"Augmentation field '{name}' is not a valid {typeof(T).Name}.");
}
