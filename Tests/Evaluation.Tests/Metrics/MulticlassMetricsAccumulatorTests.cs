using MlPipelines.Evaluation.Metrics;

namespace MlPipelines.Evaluation.Tests.Metrics;

/// <summary>Every metric against cases computed by hand from ML.NET's definitions.</summary>
[TestClass]
public sealed class MulticlassMetricsAccumulatorTests
{
    private const double Tol = 1e-12;

    // Four rows over three classes, worked by hand:
    // r0 label 0 [0.7 0.2 0.1] -> predicted 0, rank 0
    // r1 label 1 [0.5 0.3 0.2] -> predicted 0, rank 1
    // r2 label 2 [0.2 0.4 0.4] -> predicted 1 (first argmax), rank 1 (tie with a lower index counts)
    // r3 label 0 [0.1 0.1 0.8] -> predicted 2, rank 1 (the tie with class 1 is at a higher index)
    private static MulticlassMetricsAccumulator FourRows(int topK = 2)
    {
        var acc = new MulticlassMetricsAccumulator(3, topK, ["a", "b", "c"]);
        acc.Update(0, [0.7f, 0.2f, 0.1f]);
        acc.Update(1, [0.5f, 0.3f, 0.2f]);
        acc.Update(2, [0.2f, 0.4f, 0.4f]);
        acc.Update(0, [0.1f, 0.1f, 0.8f]);
        return acc;
    }

    private static double L(float p) => -Math.Log(p);

    [TestMethod]
    public void MlNetMetrics_MatchHandComputedValues()
    {
        var m = FourRows().Compute();
        Assert.AreEqual(0.25, m.MicroAccuracy, Tol);
        Assert.AreEqual((0.5 + 0 + 0) / 3, m.MacroAccuracy, Tol);
        double logLoss = (L(0.7f) + L(0.3f) + L(0.4f) + L(0.1f)) / 4;
        Assert.AreEqual(logLoss, m.LogLoss, Tol);
        double prior = 1.5 * Math.Log(2); // label shares 1/2, 1/4, 1/4
        Assert.AreEqual((prior - logLoss) / prior, m.LogLossReduction, Tol);
        Assert.AreEqual(2, m.TopKPredictionCount);
        CollectionAssert.AreEqual(new[] { 0.25, 1.0 }, m.TopKAccuracyForAllK!.ToArray());
        Assert.AreEqual(1.0, m.TopKAccuracy, Tol);
        Assert.AreEqual((L(0.7f) + L(0.1f)) / 2, m.PerClassLogLoss[0], Tol);
        Assert.AreEqual(L(0.3f), m.PerClassLogLoss[1], Tol);
        Assert.AreEqual(L(0.4f), m.PerClassLogLoss[2], Tol);
        Assert.AreEqual(4, m.RowCount);
    }

    [TestMethod]
    public void ConfusionMatrix_RowsTrueColumnsPredicted()
    {
        var cm = FourRows().Compute().ConfusionMatrix;
        long[,] expected = { { 1, 0, 1 }, { 1, 0, 0 }, { 0, 1, 0 } };
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++)
                Assert.AreEqual(expected[r, c], cm[r, c], $"cell [{r},{c}]");
        CollectionAssert.AreEqual(new[] { 0.5, 0.0, 0.0 }, cm.PerClassPrecision.ToArray());
        CollectionAssert.AreEqual(new[] { 0.5, 0.0, 0.0 }, cm.PerClassRecall.ToArray());
        string table = cm.GetFormattedConfusionTable();
        StringAssert.Contains(table, "Precision");
        StringAssert.Contains(table, "0.5000");
    }

    [TestMethod]
    public void ExtraMetrics_MatchHandComputedValues()
    {
        var m = FourRows().Compute();
        CollectionAssert.AreEqual(new[] { 0.5, 0.0, 0.0 }, m.PerClassF1.ToArray());
        Assert.AreEqual(0.5 / 3, m.MacroF1, Tol);
        Assert.AreEqual(0.5 * 2 / 4, m.WeightedF1, Tol);
        Assert.AreEqual(m.MacroAccuracy, m.BalancedAccuracy, Tol);
        // p_o = 1/4; label counts (2,1,1), predicted counts (2,1,1): p_e = 6/16.
        Assert.AreEqual((0.25 - 0.375) / (1 - 0.375), m.CohenKappa, Tol);
        // Off-diagonal cells (0,2), (1,0), (2,1) hold one row each; ties are ordered by true then predicted class.
        CollectionAssert.AreEqual(new[] { (0, 2), (1, 0), (2, 1) },
            m.MostConfused.Select(c => (c.TrueClass, c.PredictedClass)).ToArray());
        Assert.IsTrue(m.MostConfused.All(c => c.Count == 1));
        Assert.AreEqual("a", m.MostConfused[0].TrueName);
    }

    [TestMethod]
    public void TopLosses_AreTheHighestLossRowsInOrder()
    {
        var acc = new MulticlassMetricsAccumulator(3, topLossCount: 2);
        acc.Update(0, [0.7f, 0.2f, 0.1f], rowId: 10);
        acc.Update(1, [0.5f, 0.3f, 0.2f], rowId: 11);
        acc.Update(2, [0.2f, 0.4f, 0.4f], rowId: 12);
        acc.Update(0, [0.1f, 0.1f, 0.8f], rowId: 13);
        var top = acc.Compute().TopLosses;
        Assert.AreEqual(2, top.Count);
        Assert.AreEqual(13, top[0].RowId); // -ln 0.1
        Assert.AreEqual(2, top[0].Predicted);
        Assert.AreEqual(0.8f, top[0].Confidence);
        Assert.AreEqual(11, top[1].RowId); // -ln 0.3
    }

    [TestMethod]
    public void NaNScoresAndMissingLabels_AreSkipped()
    {
        var acc = FourRows();
        acc.Update(1, [float.NaN, 0.5f, 0.5f]);
        acc.Update(1, [0.2f, float.PositiveInfinity, 0.5f]);
        acc.Update(-1, [0.2f, 0.3f, 0.5f]);
        var m = acc.Compute();
        Assert.AreEqual(3, m.SkippedRowCount);
        Assert.AreEqual(4, m.RowCount);
        Assert.AreEqual(0.25, m.MicroAccuracy, Tol);
    }

    [TestMethod]
    public void LabelOutOfRange_GetsMaximalLossAndNoMatrixEntry()
    {
        var acc = new MulticlassMetricsAccumulator(2);
        acc.Update(0, [0.9f, 0.1f]);
        acc.Update(5, [0.9f, 0.1f]);
        var m = acc.Compute();
        Assert.AreEqual(0.5, m.MicroAccuracy, Tol);
        Assert.AreEqual((L(0.9f) - Math.Log(1e-15)) / 2, m.LogLoss, Tol);
        long total = 0;
        for (int r = 0; r < 2; r++) for (int c = 0; c < 2; c++) total += m.ConfusionMatrix[r, c];
        Assert.AreEqual(1, total);
        Assert.AreEqual(1.0, m.MacroAccuracy, Tol); // only class 0 is present and in range
    }

    [TestMethod]
    public void ZeroProbability_IsClampedToEpsilon()
    {
        var acc = new MulticlassMetricsAccumulator(2);
        acc.Update(1, [1f, 0f]);
        acc.Update(0, [1f, 0f]);
        Assert.AreEqual(-Math.Log(1e-15) / 2, acc.Compute().LogLoss, 1e-9);
    }

    [TestMethod]
    public void OneClassOnly_ReductionIsNaNAndAbsentClassLogLossIsNaN()
    {
        var acc = new MulticlassMetricsAccumulator(3);
        acc.Update(1, [0.1f, 0.8f, 0.1f]);
        acc.Update(1, [0.6f, 0.3f, 0.1f]);
        var m = acc.Compute();
        Assert.IsTrue(double.IsNaN(m.LogLossReduction));
        Assert.IsTrue(double.IsNaN(m.PerClassLogLoss[0]));
        Assert.AreEqual(0.5, m.MacroAccuracy, Tol);
        Assert.IsNull(m.TopKAccuracyForAllK);
    }

    [TestMethod]
    public void Calibration_BinsAndExpectedError()
    {
        var acc = new MulticlassMetricsAccumulator(2, calibrationBins: 10);
        acc.Update(0, [0.9f, 0.1f]); // confident and right
        acc.Update(1, [0.6f, 0.4f]); // fairly confident and wrong
        var m = acc.Compute();
        Assert.AreEqual(0.5 * (1 - 0.9) + 0.5 * 0.6, m.ExpectedCalibrationError, 1e-6);
        Assert.AreEqual(1, m.CalibrationBins[9].Count);
        Assert.AreEqual(1, m.CalibrationBins[6].Count);
        Assert.AreEqual(0.0, m.CalibrationBins[6].Accuracy);
    }

    [TestMethod]
    public void Merge_EqualsOneAccumulatorOverAllRows()
    {
        var rng = new Random(7);
        var all = new MulticlassMetricsAccumulator(4, 3, topLossCount: 5);
        var left = new MulticlassMetricsAccumulator(4, 3, topLossCount: 5);
        var right = new MulticlassMetricsAccumulator(4, 3, topLossCount: 5);
        for (int i = 0; i < 200; i++)
        {
            float[] s = Enumerable.Range(0, 4).Select(_ => (float)rng.NextDouble()).ToArray();
            float sum = s.Sum();
            for (int c = 0; c < 4; c++) s[c] /= sum;
            int label = rng.Next(4);
            all.Update(label, s, i);
            (i % 3 == 0 ? left : right).Update(label, s, i);
        }
        left.Merge(right);
        var a = all.Compute();
        var b = left.Compute();
        Assert.AreEqual(a.MicroAccuracy, b.MicroAccuracy, Tol);
        Assert.AreEqual(a.LogLoss, b.LogLoss, 1e-12);
        CollectionAssert.AreEqual(a.TopKAccuracyForAllK!.ToArray(), b.TopKAccuracyForAllK!.ToArray());
        CollectionAssert.AreEqual(a.TopLosses.Select(t => t.RowId).ToArray(), b.TopLosses.Select(t => t.RowId).ToArray());
    }

    [TestMethod]
    public void Reset_ForgetsRows_AndEmptyComputeThrows()
    {
        var acc = FourRows();
        acc.Reset();
        Assert.ThrowsExactly<InvalidOperationException>(() => acc.Compute());
        acc.Update(0, [0.9f, 0.05f, 0.05f]);
        Assert.AreEqual(1.0, acc.Compute().MicroAccuracy);
    }

    [TestMethod]
    public void InvalidArguments_AreRejected()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MulticlassMetricsAccumulator(0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MulticlassMetricsAccumulator(3, topK: 4));
        Assert.ThrowsExactly<ArgumentException>(() => new MulticlassMetricsAccumulator(3, classNames: ["a"]));
        var acc = new MulticlassMetricsAccumulator(3);
        Assert.ThrowsExactly<ArgumentException>(() => acc.Update(0, [0.5f, 0.5f]));
    }
}
