using MlPipelines.Data;
using MlPipelines.Evaluation.Metrics;
using MlPipelines.Evaluation.Tests.Helpers;

namespace MlPipelines.Evaluation.Tests.Catalogs;

/// <summary>ctx.MulticlassClassification.Evaluate on data views, against hand-computed values.</summary>
[TestClass]
public sealed class EvaluateTests
{
    private const double Tol = 1e-12;
    private static readonly string[] Abc = ["a", "b", "c"];

    private static double L(float p) => -Math.Log(p);

    // r0 label a [0.7 0.2 0.1] -> predicted a, rank 0
    // r1 label b [0.5 0.3 0.2] -> predicted a, rank 1
    // r2 label c [0.2 0.4 0.4] -> predicted b (first argmax), rank 1 (tie at a lower index counts)
    // r3 label a [0.1 0.1 0.8] -> predicted c, rank 1 (tie with b is at a higher index: does not count)
    private static IDataView FourRows() => ScoredViews.Keyed([1, 2, 3, 1],
        [[0.7f, 0.2f, 0.1f], [0.5f, 0.3f, 0.2f], [0.2f, 0.4f, 0.4f], [0.1f, 0.1f, 0.8f]], Abc);

    [TestMethod]
    public void KeyLabels_AllMlNetMetricsMatchHandComputedValues()
    {
        var m = new MLContext(1).MulticlassClassification.Evaluate(FourRows(), topKPredictionCount: 3);
        Assert.AreEqual(0.25, m.MicroAccuracy, Tol);
        Assert.AreEqual((0.5 + 0 + 0) / 3, m.MacroAccuracy, Tol);
        double logLoss = (L(0.7f) + L(0.3f) + L(0.4f) + L(0.1f)) / 4;
        Assert.AreEqual(logLoss, m.LogLoss, Tol);
        double prior = -(0.5 * Math.Log(0.5) + 2 * 0.25 * Math.Log(0.25));
        Assert.AreEqual((prior - logLoss) / prior, m.LogLossReduction, Tol);
        // ranks 0,1,1,1: top-1 1/4, top-2 and top-3 all rows.
        CollectionAssert.AreEqual(new[] { 0.25, 1.0, 1.0 }, m.TopKAccuracyForAllK!.ToArray());
        Assert.AreEqual(3, m.TopKPredictionCount);
        Assert.AreEqual(1.0, m.TopKAccuracy, Tol);
        Assert.AreEqual((L(0.7f) + L(0.1f)) / 2, m.PerClassLogLoss[0], Tol);
        Assert.AreEqual(L(0.3f), m.PerClassLogLoss[1], Tol);
        Assert.AreEqual(L(0.4f), m.PerClassLogLoss[2], Tol);
        long[,] expected = { { 1, 0, 1 }, { 1, 0, 0 }, { 0, 1, 0 } };
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++)
                Assert.AreEqual(expected[r, c], m.ConfusionMatrix[r, c], $"cell [{r},{c}]");
        CollectionAssert.AreEqual(Abc, m.ConfusionMatrix.ClassNames.ToArray(), "class names from the label's KeyValues");
        Assert.AreEqual(4, m.RowCount);
        Assert.AreEqual(0, m.SkippedRowCount);
    }

    [TestMethod]
    public void TopKZero_LeavesTopKUnset()
    {
        var m = new MLContext(1).MulticlassClassification.Evaluate(FourRows());
        Assert.IsNull(m.TopKAccuracyForAllK);
        Assert.AreEqual(0, m.TopKPredictionCount);
    }

    [TestMethod]
    public void MissingLabelsAndNaNScores_AreSkippedAndCounted_RowIdsArePositions()
    {
        // Positions: 0 missing label, 1 a right, 2 NaN score, 3 a wrong (p=0.1), 4 infinite score, 5 b (p=0.5).
        var data = ScoredViews.Keyed([0, 1, 2, 1, 3, 2],
            [[0.1f, 0.2f, 0.7f], [0.8f, 0.1f, 0.1f], [float.NaN, 0.5f, 0.5f], [0.1f, 0.2f, 0.7f], [0.2f, float.PositiveInfinity, 0.1f], [0.25f, 0.5f, 0.25f]], Abc);
        var m = new MLContext(1).MulticlassClassification.Evaluate(data);
        Assert.AreEqual(3, m.RowCount);
        Assert.AreEqual(3, m.SkippedRowCount);
        Assert.AreEqual(2.0 / 3, m.MicroAccuracy, Tol);
        Assert.AreEqual((L(0.8f) + L(0.1f) + L(0.5f)) / 3, m.LogLoss, Tol);
        CollectionAssert.AreEqual(new long[] { 3, 5, 1 }, m.TopLosses.Select(t => t.RowId).ToArray(), "losses -ln 0.1 > -ln 0.5 > -ln 0.8, ids are view positions");
        Assert.AreEqual(2, m.TopLosses[0].Predicted);
        Assert.AreEqual(0.7f, m.TopLosses[0].Confidence);
    }

    [TestMethod]
    public void OneClassOnly_LogLossReductionIsNaN()
    {
        var data = ScoredViews.Keyed([2, 2], [[0.1f, 0.8f, 0.1f], [0.6f, 0.3f, 0.1f]], Abc);
        var m = new MLContext(1).MulticlassClassification.Evaluate(data);
        Assert.IsTrue(double.IsNaN(m.LogLossReduction));
        Assert.AreEqual(0.5, m.MicroAccuracy, Tol);
        Assert.AreEqual(0.5, m.MacroAccuracy, Tol, "mean over the one class present");
        Assert.IsTrue(double.IsNaN(m.PerClassLogLoss[0]));
        Assert.IsTrue(double.IsNaN(m.PerClassLogLoss[2]));
        Assert.AreEqual((L(0.8f) + L(0.3f)) / 2, m.PerClassLogLoss[1], Tol);
    }

    [TestMethod]
    public void ClassMissingFromLabels_IsLeftOutOfMacroAccuracy()
    {
        // Labels a, a, b; class c never occurs but is predicted once.
        var data = ScoredViews.Keyed([1, 1, 2], [[0.6f, 0.3f, 0.1f], [0.2f, 0.2f, 0.6f], [0.1f, 0.8f, 0.1f]], Abc);
        var m = new MLContext(1).MulticlassClassification.Evaluate(data);
        Assert.AreEqual((0.5 + 1.0) / 2, m.MacroAccuracy, Tol);
        Assert.AreEqual(2.0 / 3, m.MicroAccuracy, Tol);
        Assert.IsTrue(double.IsNaN(m.PerClassLogLoss[2]));
        Assert.AreEqual(0.0, m.ConfusionMatrix.PerClassPrecision[2], Tol);
        Assert.AreEqual(1, m.ConfusionMatrix[0, 2]);
        double prior = -(2.0 / 3 * Math.Log(2.0 / 3) + 1.0 / 3 * Math.Log(1.0 / 3));
        Assert.AreEqual((prior - m.LogLoss) / prior, m.LogLossReduction, Tol);
    }

    [TestMethod]
    public void KeyBeyondTheScores_GetsMaximalLossAndNoMatrixEntry()
    {
        // Four categories but only three scores: key 4 (class 3) has no score.
        var data = ScoredViews.Keyed([1, 4], [[0.5f, 0.25f, 0.25f], [0.5f, 0.25f, 0.25f]], Abc, keyCount: 4);
        var m = new MLContext(1).MulticlassClassification.Evaluate(data);
        Assert.AreEqual(0.5, m.MicroAccuracy, Tol);
        Assert.AreEqual((L(0.5f) - Math.Log(1e-15)) / 2, m.LogLoss, Tol);
        Assert.AreEqual(1, m.ConfusionMatrix.Counts.Sum(r => r.Sum()));
        CollectionAssert.AreEqual(new[] { "0", "1", "2" }, m.ConfusionMatrix.ClassNames.ToArray(), "4 key values cannot name 3 classes");
    }

    [TestMethod]
    public void SingleLabels_WholeNumbersAreClassesAndNaNIsMissing()
    {
        var data = new InMemoryDataViewBuilder()
            .AddColumn("Label", [1f, float.NaN, 0f])
            .AddVectorColumn("Score", new VectorDataViewType(NumberDataViewType.Single, 2), [0.25f, 0.75f, 0.5f, 0.5f, 0.5f, 0.5f])
            .AddColumn("PredictedLabel", [1f, 0f, 0f])
            .ToDataView();
        var m = new MLContext(1).MulticlassClassification.Evaluate(data);
        Assert.AreEqual(2, m.RowCount);
        Assert.AreEqual(1, m.SkippedRowCount);
        Assert.AreEqual(1.0, m.MicroAccuracy, Tol, "row 2 ties 0.5/0.5: the first argmax is class 0, the label");
        Assert.AreEqual((L(0.75f) + L(0.5f)) / 2, m.LogLoss, Tol);
    }

    [TestMethod]
    public void DoubleLabels_AreRead()
    {
        var data = new InMemoryDataViewBuilder()
            .AddColumn("Label", NumberDataViewType.Double, new[] { 0.0, 1.0 })
            .AddVectorColumn("Score", new VectorDataViewType(NumberDataViewType.Single, 2), [0.9f, 0.1f, 0.6f, 0.4f])
            .AddColumn("PredictedLabel", [0f, 0f])
            .ToDataView();
        var m = new MLContext(1).MulticlassClassification.Evaluate(data);
        Assert.AreEqual(0.5, m.MicroAccuracy, Tol);
        Assert.AreEqual((L(0.9f) + L(0.4f)) / 2, m.LogLoss, Tol);
    }

    [TestMethod]
    public void FractionalOrNegativeNumericLabel_IsRejectedWithItsRow()
    {
        foreach (float bad in new[] { 1.5f, -1f })
        {
            var data = new InMemoryDataViewBuilder()
                .AddColumn("Label", [0f, bad])
                .AddVectorColumn("Score", new VectorDataViewType(NumberDataViewType.Single, 2), [0.5f, 0.5f, 0.5f, 0.5f])
                .AddColumn("PredictedLabel", [0f, 0f])
                .ToDataView();
            var e = Assert.ThrowsExactly<InvalidOperationException>(() => new MLContext(1).MulticlassClassification.Evaluate(data));
            StringAssert.Contains(e.Message, "row 1");
            StringAssert.Contains(e.Message, "'Label'");
        }
    }

    [TestMethod]
    public void RowsAcrossSeveralBatches_KeepTheirPositionsAsIds()
    {
        // 600 rows (three batches of 256): label i % 3; even rows score the label 0.8, odd rows 0.1,
        // except rows 300 and 555, which score it 0.01 - the two highest losses.
        const int N = 600;
        var keys = new uint[N];
        var scores = new float[N][];
        for (int i = 0; i < N; i++)
        {
            int label = i % 3;
            keys[i] = (uint)label + 1;
            float p = i is 300 or 555 ? 0.01f : i % 2 == 0 ? 0.8f : 0.1f;
            float rest = (1 - p) / 2;
            scores[i] = [rest, rest, rest];
            scores[i][label] = p;
        }
        var m = new MLContext(1).MulticlassClassification.Evaluate(ScoredViews.Keyed(keys, scores, Abc));
        Assert.AreEqual(N, m.RowCount);
        // Even rows are right except 300; odd rows are wrong (0.1 < 0.45).
        Assert.AreEqual(299.0 / N, m.MicroAccuracy, Tol);
        double expectedLoss = (299 * L(0.8f) + 299 * L(0.1f) + 2 * L(0.01f)) / N;
        Assert.AreEqual(expectedLoss, m.LogLoss, 1e-12);
        Assert.AreEqual(300, m.TopLosses[0].RowId);
        Assert.AreEqual(555, m.TopLosses[1].RowId);
        Assert.AreEqual(1, m.TopLosses[2].RowId, "then the -ln 0.1 rows, lowest id first");
    }

    [TestMethod]
    public void MissingLabelColumn_NamesColumnAndExpectedType()
    {
        var e = Assert.ThrowsExactly<SchemaMismatchException>(() =>
            new MLContext(1).MulticlassClassification.Evaluate(FourRows(), labelColumnName: "Truth"));
        Assert.AreEqual("Truth", e.ColumnName);
        Assert.IsNull(e.ActualType);
        StringAssert.Contains(e.Message, "Key<UInt32>");
    }

    [TestMethod]
    public void TextLabel_IsAMismatchWithActualType()
    {
        var data = new InMemoryDataViewBuilder()
            .AddColumn("Label", ["a"])
            .AddVectorColumn("Score", new VectorDataViewType(NumberDataViewType.Single, 2), [0.5f, 0.5f])
            .AddColumn("PredictedLabel", [0f])
            .ToDataView();
        var e = Assert.ThrowsExactly<SchemaMismatchException>(() => new MLContext(1).MulticlassClassification.Evaluate(data));
        Assert.AreEqual("Label", e.ColumnName);
        Assert.AreEqual(TextDataViewType.Instance.ToString(), e.ActualType);
    }

    [TestMethod]
    public void ScoreOfUnknownSizeOrOfDoubles_IsAMismatch()
    {
        var unknown = new InMemoryDataViewBuilder()
            .AddKeyColumn("Label", [1u], Abc)
            .AddVectorColumn("Score", new VectorDataViewType(NumberDataViewType.Single), new[] { new[] { 0.2f, 0.3f, 0.5f } })
            .AddColumn("PredictedLabel", [0f])
            .ToDataView();
        var e = Assert.ThrowsExactly<SchemaMismatchException>(() => new MLContext(1).MulticlassClassification.Evaluate(unknown));
        Assert.AreEqual("Score", e.ColumnName);
        Assert.AreEqual("Vector<Single> of known size", e.ExpectedType);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single).ToString(), e.ActualType);

        var doubles = new InMemoryDataViewBuilder()
            .AddKeyColumn("Label", [1u], Abc)
            .AddVectorColumn("Score", new VectorDataViewType(NumberDataViewType.Double, 3), [0.2, 0.3, 0.5])
            .AddColumn("PredictedLabel", [0f])
            .ToDataView();
        e = Assert.ThrowsExactly<SchemaMismatchException>(() => new MLContext(1).MulticlassClassification.Evaluate(doubles));
        Assert.AreEqual("Score", e.ColumnName);
        StringAssert.Contains(e.ActualType, "Double");
    }

    [TestMethod]
    public void MissingPredictedLabel_IsAMismatchEvenThoughItIsNotRead()
    {
        var e = Assert.ThrowsExactly<SchemaMismatchException>(() =>
            new MLContext(1).MulticlassClassification.Evaluate(FourRows(), predictedLabelColumnName: "Guess"));
        Assert.AreEqual("Guess", e.ColumnName);
    }

    [TestMethod]
    public void TopKAboveClassCount_IsRejectedUpFront()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            new MLContext(1).MulticlassClassification.Evaluate(FourRows(), topKPredictionCount: 4));
        StringAssert.Contains(e.Message, "3 classes");
    }

    [TestMethod]
    public void NoUsableRow_Throws()
    {
        var data = ScoredViews.Keyed([0, 0], [[0.5f, 0.25f, 0.25f], [0.5f, 0.25f, 0.25f]], Abc);
        Assert.ThrowsExactly<InvalidOperationException>(() => new MLContext(1).MulticlassClassification.Evaluate(data));
    }

    [TestMethod]
    public void SlotNamesOfTheScore_NameTheClasses()
    {
        var slots = new DataViewSchema.Annotations.Builder()
            .AddSlotNames(2, (ref VBuffer<ReadOnlyMemory<char>> v) => v = new VBuffer<ReadOnlyMemory<char>>(2, ["cat".AsMemory(), "dog".AsMemory()]))
            .ToAnnotations();
        var data = new InMemoryDataViewBuilder()
            .AddColumn("Label", [1f])
            .AddVectorColumn("Score", new VectorDataViewType(NumberDataViewType.Single, 2), [0.4f, 0.6f], slots)
            .AddColumn("PredictedLabel", [1f])
            .ToDataView();
        var m = new MLContext(1).MulticlassClassification.Evaluate(data);
        CollectionAssert.AreEqual(new[] { "cat", "dog" }, m.ConfusionMatrix.ClassNames.ToArray());
    }

    [TestMethod]
    public void Options_ChooseColumnsTopLossesAndBins()
    {
        var data = new InMemoryDataViewBuilder()
            .AddKeyColumn("Truth", [1, 2, 3, 1], Abc)
            .AddVectorColumn("Probabilities", new VectorDataViewType(NumberDataViewType.Single, 3),
                [0.7f, 0.2f, 0.1f, 0.5f, 0.3f, 0.2f, 0.2f, 0.4f, 0.4f, 0.1f, 0.1f, 0.8f])
            .AddColumn("Guess", [0f, 0f, 1f, 2f])
            .ToDataView();
        var m = new MLContext(1).MulticlassClassification.Evaluate(data, new MulticlassEvaluatorOptions
        {
            LabelColumnName = "Truth",
            ScoreColumnName = "Probabilities",
            PredictedLabelColumnName = "Guess",
            TopKPredictionCount = 2,
            TopLossCount = 2,
            CalibrationBins = 2,
        });
        Assert.AreEqual(0.25, m.MicroAccuracy, Tol);
        CollectionAssert.AreEqual(new long[] { 3, 1 }, m.TopLosses.Select(t => t.RowId).ToArray(), "-ln 0.1 then -ln 0.3");
        // Top scores 0.7, 0.5, 0.4, 0.8: 0.4 in [0, 0.5), the others in [0.5, 1] (0.7 is the only right one).
        CollectionAssert.AreEqual(new long[] { 1, 3 }, m.CalibrationBins.Select(b => b.Count).ToArray());
        Assert.AreEqual(1.0 / 3, m.CalibrationBins[1].Accuracy, Tol);
    }
}
