using MlPipelines.Data;
using MlPipelines.Pipelines.Tests.Helpers;

namespace MlPipelines.Pipelines.Tests.Data;

[TestClass]
public sealed class EnumerableSourceTests
{
    public sealed class AttributedRow
    {
        [ColumnName("Name")]
        public string Text { get; set; } = "";

        [KeyType(3), KeyValues("a", "b", "c")]
        public uint Class { get; set; }

        [VectorType(2, 3)]
        public float[] Pixels { get; set; } = [];

        public double[] Loose { get; set; } = [];

        public bool Flag;

        public long Big;

        [NoColumn]
        public int Ignored { get; set; }
    }

    [TestMethod]
    public void Schema_FollowsMembersAndAttributes()
    {
        var ctx = new MLContext(1);
        var view = ctx.Data.LoadFromEnumerable(new List<AttributedRow>());
        var names = view.Schema.Select(c => c.Name).ToList();
        CollectionAssert.AreEquivalent(new[] { "Name", "Class", "Pixels", "Loose", "Flag", "Big" }, names);
        Assert.AreEqual(TextDataViewType.Instance, view.Schema["Name"].Type);
        Assert.AreEqual(new KeyDataViewType(typeof(uint), 3), view.Schema["Class"].Type);
        CollectionAssert.AreEqual(new[] { "a", "b", "c" }, view.Schema["Class"].GetKeyValueNames()!.ToArray());
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 2, 3), view.Schema["Pixels"].Type);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Double), view.Schema["Loose"].Type);
        Assert.AreEqual(BooleanDataViewType.Instance, view.Schema["Flag"].Type);
        Assert.AreEqual(NumberDataViewType.Int64, view.Schema["Big"].Type);
    }

    [TestMethod]
    public void KeyMembers_AreZeroBased_AndRoundTrip()
    {
        var ctx = new MLContext(1);
        var rows = new List<AttributedRow>
        {
            new() { Text = "x", Class = 0, Pixels = new float[6], Loose = [1, 2, 3], Flag = true, Big = 1L << 40 },
            new() { Text = "y", Class = 2, Pixels = [1, 2, 3, 4, 5, 6], Loose = [], Big = -5 },
        };
        var view = ctx.Data.LoadFromEnumerable(rows);
        CollectionAssert.AreEqual(new uint[] { 1, 3 }, view.GetColumn<uint>("Class").ToArray(), "raw keys are the index + 1");
        var back = ctx.Data.CreateEnumerable<AttributedRow>(view, reuseRowObject: false).ToList();
        Assert.AreEqual(2, back.Count);
        Assert.AreEqual("y", back[1].Text);
        Assert.AreEqual(2u, back[1].Class);
        CollectionAssert.AreEqual(rows[1].Pixels, back[1].Pixels);
        Assert.AreNotSame(rows[1].Pixels, back[1].Pixels, "vectors are copied");
        CollectionAssert.AreEqual(rows[0].Loose, back[0].Loose);
        Assert.IsTrue(back[0].Flag);
        Assert.AreEqual(1L << 40, back[0].Big);
        Assert.AreEqual(0, back[1].Loose.Length);
    }

    [TestMethod]
    public void WrongVectorLength_FailsNamingTheColumn()
    {
        var ctx = new MLContext(1);
        var view = ctx.Data.LoadFromEnumerable(new List<AttributedRow> { new() { Pixels = [1, 2] } });
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => view.GetColumn<float[]>("Pixels").ToList());
        StringAssert.Contains(e.Message, "'Pixels'");
        StringAssert.Contains(e.Message, "6");
    }

    [TestMethod]
    public void Cursors_ReadOnlyRequestedColumns()
    {
        var ctx = new MLContext(1);
        var counter = new ReadCounter();
        var view = ctx.Data.LoadFromEnumerable(TestRows.Counted(counter, 50));
        var labels = view.GetColumn<string>("Label").ToList();
        Assert.AreEqual(50, labels.Count);
        Assert.AreEqual(50, counter.Label);
        Assert.AreEqual(0, counter.Features, "features were never asked for");
        Assert.AreEqual(0, counter.Weight);

        using (var cursor = view.GetRowCursor([view.Schema["Weight"]]))
        {
            while (cursor.MoveNext())
            {
            }
        }
        Assert.AreEqual(0, counter.Weight, "moving a cursor without calling a getter reads nothing");
    }

    [TestMethod]
    public void Lists_AreIndexedAndShuffleable_SequencesStream()
    {
        var ctx = new MLContext(1);
        var list = ctx.Data.LoadFromEnumerable(TestRows.Labeled(20));
        Assert.IsTrue(list.CanShuffle);
        Assert.AreEqual(20L, list.GetRowCount());
        var stream = ctx.Data.LoadFromEnumerable(TestRows.Labeled(20).Where(_ => true));
        Assert.IsFalse(stream.CanShuffle);
        Assert.IsNull(stream.GetRowCount());
        ViewReader.AssertEqual(ViewReader.ReadAll(list), ViewReader.ReadAll(stream), "list vs stream");
        Assert.AreEqual(1, stream.GetRowCursorSet(stream.Schema, 4).Length, "a streaming source gives one cursor");
    }

    [TestMethod]
    public void Getter_ChecksTypeAndActivity()
    {
        var ctx = new MLContext(1);
        var view = ctx.Data.LoadFromEnumerable(TestRows.Labeled(3));
        using var cursor = view.GetRowCursor([view.Schema["Weight"]]);
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => cursor.GetGetter<double>(view.Schema["Weight"]));
        StringAssert.Contains(e.Message, "'Weight'");
        StringAssert.Contains(e.Message, "Double");
        Assert.ThrowsExactly<InvalidOperationException>(() => cursor.GetGetter<ReadOnlyMemory<char>>(view.Schema["Label"]));
        var getter = cursor.GetGetter<float>(view.Schema["Weight"]);
        float w = 0;
        Assert.ThrowsExactly<InvalidOperationException>(() => getter(ref w), "before MoveNext");
    }

    [TestMethod]
    public void CreateEnumerable_MissingColumn_IsSchemaMismatch()
    {
        var ctx = new MLContext(1);
        var view = ctx.Data.LoadFromEnumerable(TestRows.Labeled(3));
        var e = Assert.ThrowsExactly<SchemaMismatchException>(() => ctx.Data.CreateEnumerable<AttributedRow>(view, false));
        Assert.AreEqual("Flag", e.ColumnName, "fields bind first, in declaration order");
        var ok = ctx.Data.CreateEnumerable<LabeledRow>(view, reuseRowObject: true).Select(r => r.Label).ToList();
        CollectionAssert.AreEqual(TestRows.Labeled(3).Select(r => r.Label).ToList(), ok);
    }
}
