using MlPipelines.Data;
using MlPipelines.Pipelines.Tests.Helpers;

namespace MlPipelines.Pipelines.Tests.Data;

[TestClass]
public sealed class BatchCursorTests
{
    private const int Width = 7;

    private static IDataView Source(int rows)
    {
        var flat = new float[rows * Width];
        for (int i = 0; i < flat.Length; i++) flat[i] = i * 0.25f;
        var keys = Enumerable.Range(0, rows).Select(i => (uint)(i % 4)).ToArray();
        return new InMemoryDataViewBuilder()
            .AddVectorColumn("Features", new VectorDataViewType(NumberDataViewType.Single, Width), flat)
            .AddKeyColumn("Label", keys, ["missing-is-0", "b", "c"])
            .AddColumn("Scalar", NumberDataViewType.Double, Enumerable.Range(0, rows).Select(i => i * 2.0).ToArray())
            .AddColumn("Name", Enumerable.Range(0, rows).Select(i => "n" + i).ToArray())
            .ToDataView();
    }

    /// <summary>Reads every batch with the batch cursor and checks it against a plain row cursor read in the same order.</summary>
    private static void CheckAgainstRows(IDataView view, int batchSize, Random? rand, Random? sameRand)
    {
        var reference = ViewReader.ReadAll(view, sameRand, "Features", "Label", "Scalar", "Name");
        var columns = new[] { view.Schema["Features"], view.Schema["Label"], view.Schema["Scalar"], view.Schema["Name"] };
        using var batches = view.GetBatchCursor(columns, batchSize, rand);
        var features = new float[batchSize * Width];
        var labels = new int[batchSize];
        var scalars = new float[batchSize];
        var names = new ReadOnlyMemory<char>[batchSize];
        int row = 0;
        while (batches.MoveNext())
        {
            Assert.AreEqual(row, batches.Position);
            Assert.IsTrue(batches.Count == batchSize || row + batches.Count == reference.Count, "only the last batch is short");
            batches.CopyFloats(columns[0], features);
            batches.CopyKeys(columns[1], labels);
            batches.CopyFloats(columns[2], scalars);
            batches.CopyValues(columns[3], names.AsSpan());
            for (int i = 0; i < batches.Count; i++, row++)
            {
                CollectionAssert.AreEqual((float[])reference[row][0]!, features.AsSpan(i * Width, Width).ToArray(), $"row {row}");
                Assert.AreEqual((int)(uint)reference[row][1]! - 1, labels[i], $"label of row {row}");
                Assert.AreEqual((float)(double)reference[row][2]!, scalars[i]);
                Assert.AreEqual(reference[row][3], names[i].ToString());
            }
        }
        Assert.AreEqual(reference.Count, row);
        Assert.IsFalse(batches.MoveNext());
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(16)]
    [DataRow(33)]
    [DataRow(1000)]
    public void Indexed_SequentialAndShuffled_MatchRowCursor(int batchSize)
    {
        var view = Source(101);
        CheckAgainstRows(view, batchSize, null, null);
        CheckAgainstRows(view, batchSize, new Random(4), new Random(4));
    }

    [TestMethod]
    public void ComputedView_FallsBackToRowCursor_WithTheSameValues()
    {
        var ctx = new MLContext(1);
        var source = Source(45);
        var streamed = ctx.Data.FilterRowsByColumn(source, "Scalar", 10, 70);
        var copied = ctx.Transforms.CopyColumns("Features2", "Features").Fit(streamed).Transform(streamed);
        Assert.IsNotInstanceOfType<IBatchCursorProvider>(streamed);
        CheckAgainstRows(streamed, 8, null, null);
        CheckAgainstRows(copied, 8, null, null);
        var column = copied.Schema["Features2"];
        using var batches = copied.GetBatchCursor([column], 8);
        var buffer = new float[8 * Width];
        Assert.IsTrue(batches.MoveNext());
        batches.CopyFloats(column, buffer);
        Assert.AreEqual(5 * Width * 0.25f, buffer[0], "the first row kept has Scalar 10, so it is row 5");
    }

    [TestMethod]
    public void PassThroughColumns_UseTheSourceBatchCursor_WithoutAllocatingPerBatch()
    {
        var ctx = new MLContext(1);
        var source = Source(4096);
        var view = ctx.Transforms.DropColumns("Name").Fit(source).Transform(source);
        var column = view.Schema["Features"];
        var buffer = new float[64 * Width];
        using var batches = view.GetBatchCursor([column], 64, new Random(1));
        Assert.IsTrue(batches.MoveNext());
        batches.CopyFloats(column, buffer);
        long before = GC.GetAllocatedBytesForCurrentThread();
        int n = 0;
        while (batches.MoveNext())
        {
            batches.CopyFloats(column, buffer);
            n++;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.AreEqual(63, n);
        Assert.IsTrue(allocated < 1024, $"{allocated} bytes allocated over {n} batches");
    }

    [TestMethod]
    public void Misuse_FailsClearly()
    {
        var view = Source(10);
        using var batches = view.GetBatchCursor([view.Schema["Features"], view.Schema["Name"]], 4);
        Assert.ThrowsExactly<InvalidOperationException>(() => batches.CopyFloats(view.Schema["Features"], new float[100]), "before MoveNext");
        Assert.IsTrue(batches.MoveNext());
        Assert.ThrowsExactly<ArgumentException>(() => batches.CopyFloats(view.Schema["Features"], new float[10]));
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => batches.CopyFloats(view.Schema["Name"], new float[100]));
        StringAssert.Contains(e.Message, "String");
        Assert.ThrowsExactly<InvalidOperationException>(() => batches.CopyFloats(view.Schema["Scalar"], new float[100]), "not requested");
        Assert.ThrowsExactly<InvalidOperationException>(() => batches.CopyKeys(view.Schema["Features"], new int[4]));
        Assert.AreEqual(Width, DataViewBatchCursor.GetFloatWidth(view.Schema["Features"].Type));
    }
}
