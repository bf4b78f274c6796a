namespace MlPipelines.Engine.Nn;

/// <summary>What <see cref="Module.LoadStateDict"/> could not match.</summary>
/// <param name="MissingKeys">Keys the model has and the state dict lacks.</param>
/// <param name="UnexpectedKeys">Keys the state dict has and the model lacks.</param>
/// <param name="ShapeMismatches">Keys present in both with different shapes (described).</param>
public sealed record LoadStateDictResult(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys, IReadOnlyList<string> ShapeMismatches)
{
    /// <summary>True when every key matched.</summary>
    public bool IsClean => MissingKeys.Count == 0 && UnexpectedKeys.Count == 0 && ShapeMismatches.Count == 0;

    /// <inheritdoc />
    public override string ToString() =>
        $"Missing keys: [{string.Join(", ", MissingKeys)}]; unexpected keys: [{string.Join(", ", UnexpectedKeys)}]; shape mismatches: [{string.Join("; ", ShapeMismatches)}].";
}
