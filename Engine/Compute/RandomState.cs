namespace MlPipelines.Engine.Compute;

/// <summary>The full state of a <see cref="SeededRandom"/>.</summary>
public readonly record struct RandomState(ulong S0, ulong S1, ulong S2, ulong S3, bool HasSpareNormal, float SpareNormal);
