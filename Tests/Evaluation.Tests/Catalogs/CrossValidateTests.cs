using MlPipelines.Data;
using MlPipelines.Evaluation.Tests.Helpers;

namespace MlPipelines.Evaluation.Tests.Catalogs;

/// <summary>ctx.MulticlassClassification.CrossValidate with a test-only prior classifier.</summary>
[TestClass]
public sealed class CrossValidateTests
{
    private static readonly string[] Abc = ["a", "b", "c"];

    /// <summary>Rows with ids 0..n-1 and keys dealt so that class sizes are <paramref name="counts"/>, interleaved.</summary>
    private static IDataView Rows(params int[] counts)
    {
        var keys = new List<uint>();
        var left = (int[])counts.Clone();
        while (left.Any(c => c > 0))
            for (int c = 0; c < left.Length; c++)
                if (left[c]-- > 0) keys.Add((uint)c + 1);
        return new InMemoryDataViewBuilder()
            .AddColumn("Id", Enumerable.Range(0, keys.Count).Select(i => (float)i).ToArray())
            .AddKeyColumn("Label", [.. keys], Abc)
            .ToDataView();
    }

    [TestMethod]
    public void Folds_AreDisjoint_CoverEveryRow_AndTrainOnTheRest()
    {
        var ctx = new MLContext(1);
        var data = Rows(15, 10, 5);
        var estimator = new PriorEstimator(3);
        var results = ctx.MulticlassClassification.CrossValidate(data, estimator, numberOfFolds: 5, seed: 7);
        Assert.AreEqual(5, results.Count);
        var seen = new List<float>();
        for (int f = 0; f < 5; f++)
        {
            Assert.AreEqual(f, results[f].Fold);
            var test = results[f].ScoredHoldOutSet.GetColumn<float>("Id").ToArray();
            seen.AddRange(test);
            var train = estimator.TrainIds[f];
            Assert.AreEqual(0, train.Intersect(test).Count(), $"fold {f}: no test row was trained on");
            CollectionAssert.AreEquivalent(Enumerable.Range(0, 30).Select(i => (float)i).ToArray(), train.Concat(test).ToArray(), $"fold {f}: train + test = all");
        }
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 30).Select(i => (float)i).ToArray(), seen.ToArray(), "test folds partition the rows");
    }

    [TestMethod]
    public void Folds_AreStratified_AndMetricsMatchTheHandComputedPrior()
    {
        var ctx = new MLContext(1);
        var results = ctx.MulticlassClassification.CrossValidate(Rows(15, 10, 5), new PriorEstimator(3), numberOfFolds: 5, seed: 3);
        // 15/10/5 rows over 5 folds: every fold tests 3 a, 2 b, 1 c and trains on 12 a, 8 b, 4 c.
        double expectedLoss = -(3 * Math.Log((float)(12.0 / 24)) + 2 * Math.Log((float)(8.0 / 24)) + Math.Log((float)(4.0 / 24))) / 6;
        foreach (var r in results)
        {
            var labels = r.ScoredHoldOutSet.GetColumn<uint>("Label").ToArray();
            CollectionAssert.AreEqual(new[] { 3, 2, 1 }, new[] { 1u, 2u, 3u }.Select(k => labels.Count(l => l == k)).ToArray(), $"fold {r.Fold}");
            CollectionAssert.AreEqual(new[] { 0.5f, 8f / 24, 4f / 24 }, ((PriorTransformer)r.Model).Prior);
            Assert.AreEqual(0.5, r.Metrics.MicroAccuracy, 1e-12, "always predicts a");
            Assert.AreEqual(1.0 / 3, r.Metrics.MacroAccuracy, 1e-12);
            Assert.AreEqual(expectedLoss, r.Metrics.LogLoss, 1e-12);
            CollectionAssert.AreEqual(Abc, r.Metrics.ConfusionMatrix.ClassNames.ToArray());
        }
    }

    [TestMethod]
    public void UnevenClasses_SpreadWithinOneRowPerClassAndPerFold()
    {
        var ctx = new MLContext(1);
        var results = ctx.MulticlassClassification.CrossValidate(Rows(11, 7, 5), new PriorEstimator(3), numberOfFolds: 3, seed: 11);
        var perFold = results.Select(r => r.ScoredHoldOutSet.GetColumn<uint>("Label").ToArray()).ToArray();
        Assert.AreEqual(23, perFold.Sum(f => f.Length));
        Assert.IsTrue(perFold.Max(f => f.Length) - perFold.Min(f => f.Length) <= 1, "fold sizes differ by at most one");
        foreach (uint k in new uint[] { 1, 2, 3 })
        {
            var counts = perFold.Select(f => f.Count(l => l == k)).ToArray();
            Assert.IsTrue(counts.Max() - counts.Min() <= 1, $"class {k}: {string.Join(",", counts)}");
        }
    }

    [TestMethod]
    public void SameSeed_SameFolds()
    {
        var ctx = new MLContext(1);
        var data = Rows(9, 6, 6);
        float[][] Folds(int seed) => ctx.MulticlassClassification.CrossValidate(data, new PriorEstimator(3), 3, seed: seed)
            .Select(r => r.ScoredHoldOutSet.GetColumn<float>("Id").ToArray()).ToArray();
        var first = Folds(5);
        var second = Folds(5);
        for (int f = 0; f < 3; f++) CollectionAssert.AreEqual(first[f], second[f]);
    }

    [TestMethod]
    public void EstimatorWithoutScore_IsRejectedBeforeFitting()
    {
        var ctx = new MLContext(1);
        var copy = ctx.Transforms.CopyColumns("Other", "Id");
        var e = Assert.ThrowsExactly<SchemaMismatchException>(() => ctx.MulticlassClassification.CrossValidate(Rows(4, 4), copy, 2, seed: 1));
        Assert.AreEqual("Score", e.ColumnName);
    }

    [TestMethod]
    public void MissingLabelColumn_AndTooFewFolds_AreRejected()
    {
        var ctx = new MLContext(1);
        var e = Assert.ThrowsExactly<SchemaMismatchException>(() =>
            ctx.MulticlassClassification.CrossValidate(Rows(4, 4), new PriorEstimator(3), 2, labelColumnName: "Truth"));
        Assert.AreEqual("Truth", e.ColumnName);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ctx.MulticlassClassification.CrossValidate(Rows(4, 4), new PriorEstimator(3), 1));
    }
}
