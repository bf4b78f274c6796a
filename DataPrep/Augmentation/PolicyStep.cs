namespace MlPipelines.DataPrep.Augmentation;

/// <summary>One chosen operation of an augmentation policy and its signed magnitude in the operation's own unit.</summary>
public sealed record PolicyStep(PolicyOperation Operation, double Magnitude);
