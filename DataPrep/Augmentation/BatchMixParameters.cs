namespace MlPipelines.DataPrep.Augmentation;

/// <summary>
/// What MixUp or CutMix drew for a batch: each example i is mixed with example Partner[i]; Lambda is the
/// weight of the example's own target (for CutMix, the share of its own pixels left after the paste); the
/// box is CutMix's pasted rectangle (empty for MixUp).
/// </summary>
public sealed record BatchMixParameters(double Lambda, IReadOnlyList<int> Partner, int BoxX, int BoxY, int BoxWidth, int BoxHeight);
