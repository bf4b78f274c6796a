using MlPipelines.Data;

namespace MlPipelines.Evaluation.Tests.Helpers;

/// <summary>Small scored data views: a key label with class names, a Single score vector and a key prediction.</summary>
internal static class ScoredViews
{
    /// <summary>A view with keys (1-based, 0 = missing) named by <paramref name="names"/> and one score row per key.</summary>
    public static IDataView Keyed(uint[] keys, float[][] scores, IReadOnlyList<string> names, int? keyCount = null)
    {
        int classes = scores.Length == 0 ? names.Count : scores[0].Length;
        var builder = new InMemoryDataViewBuilder();
        if (keyCount is { } k)
            builder.AddColumn("Label", new KeyDataViewType(typeof(uint), k), keys);
        else
            builder.AddKeyColumn("Label", keys, names);
        return builder
            .AddVectorColumn("Score", new VectorDataViewType(NumberDataViewType.Single, classes), scores)
            .AddColumn("PredictedLabel", new KeyDataViewType(typeof(uint), classes), scores.Select(s => (uint)ArgMax(s) + 1).ToArray())
            .ToDataView();
    }

    /// <summary>The index of the first largest score.</summary>
    public static int ArgMax(float[] s)
    {
        int best = 0;
        for (int i = 1; i < s.Length; i++)
            if (s[i] > s[best]) best = i;
        return best;
    }
}
