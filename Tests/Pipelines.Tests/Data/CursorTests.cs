using MlPipelines.Data;
using MlPipelines.Pipelines.Tests.Helpers;

namespace MlPipelines.Pipelines.Tests.Data;

[TestClass]
public sealed class CursorTests
{
    private static IDataView Numbers(int n, out float[] values)
    {
        values = Enumerable.Range(0, n).Select(i => (float)i).ToArray();
        var flat = Enumerable.Range(0, n * 3).Select(i => (float)i).ToArray();
        return new InMemoryDataViewBuilder()
            .AddColumn("X", values)
            .AddVectorColumn("V", new VectorDataViewType(NumberDataViewType.Single, 3), flat)
            .AddColumn("S", values.Select(v => "s" + v).ToArray())
            .ToDataView();
    }

    [TestMethod]
    public void InMemoryBuilder_ReadsBackColumns()
    {
        var view = Numbers(5, out _);
        Assert.AreEqual(5L, view.GetRowCount());
        var rows = ViewReader.ReadAll(view);
        Assert.AreEqual(3f, rows[3][0]);
        CollectionAssert.AreEqual(new[] { 9f, 10f, 11f }, (float[])rows[3][1]!);
        Assert.AreEqual("s3", rows[3][2]);
        Assert.ThrowsExactly<InvalidOperationException>(() =>
            new InMemoryDataViewBuilder().AddColumn("A", new float[2]).AddColumn("B", new float[3]).ToDataView());
        Assert.ThrowsExactly<ArgumentException>(() =>
            new InMemoryDataViewBuilder().AddVectorColumn("V", new VectorDataViewType(NumberDataViewType.Single, 3), new float[4]));
        Assert.ThrowsExactly<ArgumentException>(() =>
            new InMemoryDataViewBuilder().AddKeyColumn("K", [0, 1, 3], ["a", "b"]));
    }

    [TestMethod]
    public void ShuffledCursor_IsASeededPermutation()
    {
        var view = Numbers(200, out _);
        var a = ViewReader.ReadAll(view, new Random(7), "X").Select(r => (float)r[0]!).ToList();
        var b = ViewReader.ReadAll(view, new Random(7), "X").Select(r => (float)r[0]!).ToList();
        var c = ViewReader.ReadAll(view, new Random(8), "X").Select(r => (float)r[0]!).ToList();
        CollectionAssert.AreEqual(a, b, "same seed, same order");
        CollectionAssert.AreNotEqual(a, c, "another seed, another order");
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 200).Select(i => (float)i).ToList(), a, "every row once");
        CollectionAssert.AreNotEqual(Enumerable.Range(0, 200).Select(i => (float)i).ToList(), a, "not in order");
    }

    [TestMethod]
    public void ShuffledCursor_KeepsRowsTogether()
    {
        var view = Numbers(50, out _);
        foreach (var row in ViewReader.ReadAll(view, new Random(3)))
        {
            float x = (float)row[0]!;
            CollectionAssert.AreEqual(new[] { 3 * x, 3 * x + 1, 3 * x + 2 }, (float[])row[1]!);
            Assert.AreEqual("s" + x, row[2]);
        }
    }

    [TestMethod]
    public void CursorSet_CoversEveryRowOnce_AndCanRunInParallel()
    {
        var view = Numbers(1001, out _);
        var cursors = view.GetRowCursorSet([view.Schema["X"]], 4);
        Assert.AreEqual(4, cursors.Length);
        var seen = new float[cursors.Length][];
        Parallel.For(0, cursors.Length, i =>
        {
            using var cursor = cursors[i];
            var getter = cursor.GetGetter<float>(view.Schema["X"]);
            var list = new List<float>();
            float v = 0;
            while (cursor.MoveNext())
            {
                getter(ref v);
                list.Add(v);
            }
            seen[i] = [.. list];
        });
        CollectionAssert.AreEqual(Enumerable.Range(0, 1001).Select(i => (float)i).ToList(), seen.SelectMany(s => s).Order().ToList());
        Assert.IsTrue(seen.All(s => s.Length > 200), "work is split evenly");
    }

    [TestMethod]
    public void IdGetter_GivesSourcePosition_EvenWhenShuffled()
    {
        var view = Numbers(30, out _);
        using var cursor = view.GetRowCursor([view.Schema["X"]], new Random(5));
        var id = cursor.GetIdGetter();
        var x = cursor.GetGetter<float>(view.Schema["X"]);
        var rowId = default(DataViewRowId);
        float value = 0;
        while (cursor.MoveNext())
        {
            id(ref rowId);
            x(ref value);
            Assert.AreEqual((ulong)value, rowId.Low);
        }
    }

    [TestMethod]
    public void InactiveColumn_CannotBeRead()
    {
        var view = Numbers(3, out _);
        using var cursor = view.GetRowCursor([view.Schema["X"]]);
        Assert.IsTrue(cursor.IsColumnActive(view.Schema["X"]));
        Assert.IsFalse(cursor.IsColumnActive(view.Schema["V"]));
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => cursor.GetGetter<VBuffer<float>>(view.Schema["V"]));
        StringAssert.Contains(e.Message, "'V'");
    }
}
