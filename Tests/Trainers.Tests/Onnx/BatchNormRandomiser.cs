using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Nn;
using MlPipelines.Engine.Nn.Layers;

namespace MlPipelines.Trainers.Tests.Onnx;

/// <summary>
/// Moves every batch norm's running statistics and affine parameters away from their initial 0/1, so an export or import
/// that gets batch normalisation wrong shows in the outputs.
/// </summary>
internal static class BatchNormRandomiser
{
    /// <summary>Means in ±<paramref name="meanSpread"/>, variances in [0.5, <paramref name="maxVariance"/>), scales in [0.5, 1.5), shifts in ±0.2.</summary>
    public static void Randomise(Module model, ulong seed, float meanSpread = 0.5f, float maxVariance = 2f)
    {
        var rng = new SeededRandom(seed);
        foreach (var (_, m) in model.NamedModules())
            if (m is BatchNorm2d bn)
            {
                foreach (ref float v in bn.RunningMean.Span) v = rng.NextFloat(-meanSpread, meanSpread);
                foreach (ref float v in bn.RunningVar.Span) v = rng.NextFloat(0.5f, maxVariance);
                if (bn.Weight is { } w) foreach (ref float v in w.Value.Span) v = rng.NextFloat(0.5f, 1.5f);
                if (bn.Bias is { } b) foreach (ref float v in b.Value.Span) v = rng.NextFloat(-0.2f, 0.2f);
            }
    }
}
