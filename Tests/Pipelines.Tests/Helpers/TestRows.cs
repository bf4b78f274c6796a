using MlPipelines.Data;

namespace MlPipelines.Pipelines.Tests.Helpers;

/// <summary>A labelled example: class name, 4 features, a weight.</summary>
public sealed class LabeledRow
{
    public string Label { get; set; } = "";

    [VectorType(4)]
    public float[] Features { get; set; } = [];

    public float Weight { get; set; }
}

/// <summary>Counts how often each member of a <see cref="CountedRow"/> is read.</summary>
public sealed class ReadCounter
{
    public int Label;
    public int Features;
    public int Weight;
}

/// <summary>A row whose getters count reads, to prove laziness.</summary>
public sealed class CountedRow(ReadCounter counter, string label, float[] features, float weight)
{
    public string Label
    {
        get
        {
            Interlocked.Increment(ref counter.Label);
            return label;
        }
    }

    [VectorType(4)]
    public float[] Features
    {
        get
        {
            Interlocked.Increment(ref counter.Features);
            return features;
        }
    }

    public float Weight
    {
        get
        {
            Interlocked.Increment(ref counter.Weight);
            return weight;
        }
    }
}

/// <summary>Deterministic test data.</summary>
public static class TestRows
{
    public static readonly string[] Classes = ["cat", "dog", "bird", "fish"];

    /// <summary><paramref name="count"/> rows with unbalanced classes and features derived from the row index.</summary>
    public static List<LabeledRow> Labeled(int count, int seed = 1)
    {
        var rand = new Random(seed);
        var rows = new List<LabeledRow>(count);
        for (int i = 0; i < count; i++)
        {
            int c = rand.NextDouble() < 0.5 ? 0 : rand.Next(1, Classes.Length);
            rows.Add(new LabeledRow
            {
                Label = Classes[c],
                Features = [i, c, (float)rand.NextDouble(), -i * 0.5f],
                Weight = i % 7,
            });
        }
        return rows;
    }

    public static List<CountedRow> Counted(ReadCounter counter, int count) =>
        Labeled(count).Select(r => new CountedRow(counter, r.Label, r.Features, r.Weight)).ToList();
}
