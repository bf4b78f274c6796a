using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Nn.Layers;

namespace MlPipelines.Engine.Models.Zoo;

/// <summary>
/// MLP-Mixer (Tolstikhin et al. 2021, Table 1) with timm's names: a patch x patch stride-patch convolution "stem.proj" to C
/// channels, the patches as S tokens, mixer layers "blocks.i" (token MLP of width Ds, channel MLP of width Dc), LayerNorm
/// "norm", the mean over tokens and a linear "head". The input size fixes S. Mixer-B/16 has 59,880,472 parameters at 1000 classes.
/// </summary>
internal static class MlpMixer
{
    /// <summary>(patch, hidden C, layers, token MLP Ds, channel MLP Dc) of the named sizes.</summary>
    public static readonly Dictionary<string, (int Patch, int Hidden, int Layers, int TokenMlp, int ChannelMlp)> Sizes = new()
    {
        ["s32"] = (32, 512, 8, 256, 2048),
        ["s16"] = (16, 512, 8, 256, 2048),
        ["b32"] = (32, 768, 12, 384, 3072),
        ["b16"] = (16, 768, 12, 384, 3072),
        ["l16"] = (16, 1024, 24, 512, 4096),
    };

    public static Sequential Create(string size, int inChannels, int classes, int inputSize, SeededRandom init)
    {
        var (patch, hidden, layers, tokenMlp, channelMlp) = Sizes[size];
        if (inputSize < patch) throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, $"Mixer-{size} needs inputs of at least {patch}x{patch}.");
        int side = inputSize / patch, tokens = side * side;
        var stem = new Sequential().Add("proj", new Conv2d(inChannels, hidden, patch, patch, init: init)).Add("tokens", new TransposeLastTwo(flattenImage: true));
        var blocks = new Sequential();
        for (int i = 0; i < layers; i++) blocks.Add(new MixerBlock(tokens, hidden, tokenMlp, channelMlp, init));
        return new Sequential().Add("stem", stem).Add("blocks", blocks).Add("norm", new LayerNorm(hidden, 1e-6f))
            .Add("pool", new TokenMean()).Add("head", new Linear(hidden, classes, init: init));
    }
}
