using MlPipelines.Data;

namespace MlPipelines.Pipelines.Tests.Data;

[TestClass]
public sealed class SchemaAndTypesTests
{
    [TestMethod]
    public void VectorType_SizeIsProductOfDimensions_ZeroMeansUnknown()
    {
        var image = new VectorDataViewType(NumberDataViewType.Single, 3, 224, 224);
        Assert.AreEqual(3 * 224 * 224, image.Size);
        Assert.IsTrue(image.IsKnownSize);
        Assert.AreEqual(typeof(VBuffer<float>), image.RawType);
        Assert.AreEqual("Vector<Single, 3, 224, 224>", image.ToString());
        var unknown = new VectorDataViewType(NumberDataViewType.Single, 3, 0, 224);
        Assert.AreEqual(0, unknown.Size);
        Assert.IsFalse(unknown.IsKnownSize);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 3, 224, 224), image);
        Assert.AreNotEqual(new VectorDataViewType(NumberDataViewType.Single, 224, 3, 224), image);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new VectorDataViewType(NumberDataViewType.Single, 65536, 65536));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new VectorDataViewType(NumberDataViewType.Single, -1));
    }

    [TestMethod]
    public void KeyType_HoldsCountAndRejectsOtherRawTypes()
    {
        var key = new KeyDataViewType(typeof(uint), 10);
        Assert.AreEqual(10UL, key.Count);
        Assert.AreEqual("Key<UInt32, 0-9>", key.ToString());
        Assert.AreEqual(new KeyDataViewType(typeof(uint), 10UL), key);
        Assert.AreNotEqual(new KeyDataViewType(typeof(uint), 11), key);
        Assert.ThrowsExactly<ArgumentException>(() => new KeyDataViewType(typeof(int), 3));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new KeyDataViewType(typeof(uint), 0));
    }

    [TestMethod]
    public void Schema_LaterColumnHidesEarlierOne_AndLookupErrorsNameColumns()
    {
        var schema = new DataViewSchema.Builder()
            .AddColumn("A", NumberDataViewType.Single)
            .AddColumn("B", TextDataViewType.Instance)
            .AddColumn("A", NumberDataViewType.Double)
            .ToSchema();
        Assert.AreEqual(3, schema.Count);
        Assert.IsTrue(schema[0].IsHidden);
        Assert.IsFalse(schema[2].IsHidden);
        Assert.AreEqual(2, schema["A"].Index);
        Assert.AreEqual(NumberDataViewType.Double, schema["A"].Type);
        Assert.IsNull(schema.GetColumnOrNull("C"));
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => schema["C"]);
        StringAssert.Contains(e.Message, "'C'");
        StringAssert.Contains(e.Message, "'B'");
    }

    [TestMethod]
    public void Annotations_KeyValuesRoundTripAndTypeChecked()
    {
        var annotations = new DataViewSchema.Annotations.Builder().AddKeyValues(["cat", "dog"]).ToAnnotations();
        var schema = new DataViewSchema.Builder().AddColumn("Label", new KeyDataViewType(typeof(uint), 2), annotations).ToSchema();
        var column = schema["Label"];
        Assert.IsTrue(column.HasKeyValues());
        CollectionAssert.AreEqual(new[] { "cat", "dog" }, column.GetKeyValueNames()!.ToArray());
        var buffer = default(VBuffer<ReadOnlyMemory<char>>);
        column.GetKeyValues(ref buffer);
        Assert.AreEqual("dog", buffer.GetItemOrDefault(1).ToString());
        var wrong = default(VBuffer<float>);
        Assert.ThrowsExactly<InvalidOperationException>(() => column.GetKeyValues(ref wrong));
        Assert.IsFalse(schema["Label"].HasSlotNames());
    }

    [TestMethod]
    public void VBufferEditor_ReusesLargeEnoughBuffers()
    {
        var buffer = new VBuffer<float>([1f, 2f, 3f, 4f]);
        var editor = VBufferEditor.Create(ref buffer, 2);
        editor.Values[0] = 9;
        editor.Values[1] = 8;
        var result = editor.Commit();
        CollectionAssert.AreEqual(new[] { 9f, 8f }, result.ToArray());
        Assert.AreEqual(9f, buffer.GetValues()[0], "the array of the destination is reused");
        var grown = VBufferEditor.Create(ref buffer, 10).Commit();
        Assert.AreEqual(10, grown.Length);
        Assert.AreEqual(9f, buffer.GetValues()[0], "growing allocates a new array and leaves the old one");
    }

    [TestMethod]
    public void SchemaShape_CompatibilityChecksKindTypeKeyAndSize()
    {
        var schema = new DataViewSchema.Builder()
            .AddColumn("F", new VectorDataViewType(NumberDataViewType.Single, 784))
            .AddColumn("K", new KeyDataViewType(typeof(uint), 3))
            .ToSchema();
        var shape = SchemaShape.Create(schema);
        Assert.IsTrue(shape.TryFindColumn("F", out var f));
        Assert.AreEqual(SchemaShape.Column.VectorKind.Vector, f.Kind);
        var need784 = new SchemaShape.Column("F", SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, null, [784]);
        var need10 = new SchemaShape.Column("F", SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, null, [10]);
        var needDouble = new SchemaShape.Column("F", SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Double, false);
        Assert.IsTrue(need784.IsCompatibleWith(f));
        Assert.IsFalse(need10.IsCompatibleWith(f));
        Assert.IsFalse(needDouble.IsCompatibleWith(f));
        Assert.IsTrue(shape.TryFindColumn("K", out var k));
        var anyKey = new SchemaShape.Column("K", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.UInt32, true);
        Assert.IsTrue(anyKey.IsCompatibleWith(k));
        var e = Assert.ThrowsExactly<SchemaMismatchException>(() => SchemaShapeChecks.RequireCompatible(shape, "F", need10));
        StringAssert.Contains(e.Message, "'F'");
        StringAssert.Contains(e.Message, "Vector<Single, 10>");
        StringAssert.Contains(e.Message, "Vector<Single, 784>");
    }
}
