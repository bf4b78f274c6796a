namespace MlPipelines.DataPrep.Processing;

/// <summary>
/// How 8-bit pixels become floats: value = (pixel * <see cref="Scale"/> + <see cref="Offset"/> - Mean[c]) / Std[c],
/// written planar CHW (or HWC when <see cref="Interleave"/>).
/// </summary>
public sealed record PixelExtractionOptions
{
    /// <summary>Channels to produce: 1 (gray) or 3 (colour). Images of another channel count are converted.</summary>
    public int Channels { get; init; } = 3;

    /// <summary>Plane order for colour output.</summary>
    public ColorOrder Order { get; init; } = ColorOrder.Rgb;

    /// <summary>Multiplies the byte value first (default 1/255: pixels in [0, 1]).</summary>
    public float Scale { get; init; } = 1f / 255f;

    /// <summary>Added after scaling.</summary>
    public float Offset { get; init; }

    /// <summary>Per-channel mean subtracted after scale and offset (length 1 applies to every channel); null for none.</summary>
    public IReadOnlyList<float>? Mean { get; init; }

    /// <summary>Per-channel standard deviation divided by last (length 1 applies to every channel); null for none.</summary>
    public IReadOnlyList<float>? Std { get; init; }

    /// <summary>Write HWC (pixel-interleaved) instead of CHW.</summary>
    public bool Interleave { get; init; }

    /// <summary>The ImageNet convention: RGB in [0, 1], mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225).</summary>
    public static PixelExtractionOptions ImageNet { get; } = new()
    {
        Mean = [0.485f, 0.456f, 0.406f],
        Std = [0.229f, 0.224f, 0.225f],
    };

    /// <summary>
    /// The float a 0 byte becomes in channel <paramref name="channel"/>, (Offset - mean) / std: the value of a black
    /// border padded around extracted pixels.
    /// </summary>
    public float ValueOfZero(int channel)
    {
        float mean = Mean is null ? 0 : Mean[Mean.Count == 1 ? 0 : channel];
        float std = Std is null ? 1 : Std[Std.Count == 1 ? 0 : channel];
        return (Offset - mean) / std;
    }

    /// <summary>Checks the settings; throws naming the bad one.</summary>
    public void Validate()
    {
        if (Channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(Channels), Channels, "Channels must be 1 or 3.");
        if (!float.IsFinite(Scale) || !float.IsFinite(Offset)) throw new ArgumentException("Scale and offset must be finite.");
        CheckPerChannel(Mean, nameof(Mean));
        CheckPerChannel(Std, nameof(Std));
        if (Std is not null && Std.Any(s => !(s > 0) || !float.IsFinite(s)))
            throw new ArgumentOutOfRangeException(nameof(Std), "Every standard deviation must be positive and finite.");
    }

    private void CheckPerChannel(IReadOnlyList<float>? values, string name)
    {
        if (values is not null && values.Count != 1 && values.Count != Channels)
            throw new ArgumentException($"{name} must have 1 or {Channels} values, got {values.Count}.", name);
    }
}
