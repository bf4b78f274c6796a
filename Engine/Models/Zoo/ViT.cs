using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Nn.Layers;

namespace MlPipelines.Engine.Models.Zoo;

/// <summary>
/// The Vision Transformer sizes of Dosovitskiy et al. 2021 (Table 1), plus the Ti and S sizes of Touvron et al. 2021, with
/// torchvision's names; the input size sets the position-embedding length (224 in the paper). ViT-B/16 has 86,567,656
/// parameters at 224x224 and 1000 classes.
/// </summary>
internal static class ViT
{
    /// <summary>(patch, layers, heads, hidden D, MLP width) of the named sizes.</summary>
    public static readonly Dictionary<string, (int Patch, int Layers, int Heads, int Hidden, int Mlp)> Sizes = new()
    {
        // Ti and S: Touvron et al. 2021 (DeiT), Table 1, as timm builds them for ViT.
        ["ti16"] = (16, 12, 3, 192, 768),
        ["s16"] = (16, 12, 6, 384, 1536),
        ["b16"] = (16, 12, 12, 768, 3072),
        ["b32"] = (32, 12, 12, 768, 3072),
        ["l16"] = (16, 24, 16, 1024, 4096),
        ["l32"] = (32, 24, 16, 1024, 4096),
        ["h14"] = (14, 32, 16, 1280, 5120),
    };

    public static VisionTransformer Create(string size, int inChannels, int classes, int inputSize, SeededRandom init)
    {
        var (patch, layers, heads, hidden, mlp) = Sizes[size];
        if (inputSize < patch) throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, $"ViT-{size} needs inputs of at least {patch}x{patch}.");
        return new VisionTransformer(inChannels, inputSize, patch, layers, heads, hidden, mlp, classes, 0, init);
    }
}
