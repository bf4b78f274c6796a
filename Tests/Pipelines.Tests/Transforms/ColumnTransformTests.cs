using MlPipelines.Data;
using MlPipelines.Pipelines.Tests.Helpers;

namespace MlPipelines.Pipelines.Tests.Transforms;

[TestClass]
public sealed class ColumnTransformTests
{
    [TestMethod]
    public void Concatenate_JoinsScalarsAndVectorsInOrder()
    {
        var ctx = new MLContext(1);
        var rows = TestRows.Labeled(10);
        var data = ctx.Data.LoadFromEnumerable(rows);
        var output = ctx.Transforms.Concatenate("All", "Weight", "Features", "Weight").Fit(data).Transform(data);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 6), output.Schema["All"].Type);
        var all = output.GetColumn<float[]>("All").ToList();
        for (int i = 0; i < rows.Count; i++)
            CollectionAssert.AreEqual(new[] { rows[i].Weight }.Concat(rows[i].Features).Append(rows[i].Weight).ToArray(), all[i]);
    }

    [TestMethod]
    public void Concatenate_OfUnknownSize_GivesVariableVector()
    {
        var ctx = new MLContext(1);
        var data = new InMemoryDataViewBuilder()
            .AddVectorColumn("A", new VectorDataViewType(NumberDataViewType.Single), new[] { new[] { 1f }, new[] { 2f, 3f } })
            .AddColumn("B", new[] { 9f, 8f })
            .ToDataView();
        var estimator = ctx.Transforms.Concatenate("C", "A", "B");
        Assert.IsTrue(estimator.GetOutputSchema(SchemaShape.Create(data.Schema)).TryFindColumn("C", out var shape));
        Assert.AreEqual(SchemaShape.Column.VectorKind.VariableVector, shape.Kind);
        var c = estimator.Fit(data).Transform(data).GetColumn<float[]>("C").ToList();
        CollectionAssert.AreEqual(new[] { 1f, 9f }, c[0]);
        CollectionAssert.AreEqual(new[] { 2f, 3f, 8f }, c[1]);
    }

    [TestMethod]
    public void Concatenate_MismatchNamesTheColumn()
    {
        var ctx = new MLContext(1);
        var data = new InMemoryDataViewBuilder().AddColumn("A", new[] { 1f }).AddColumn("B", NumberDataViewType.Double, new[] { 2.0 }).ToDataView();
        var e = Assert.ThrowsExactly<SchemaMismatchException>(() => ctx.Transforms.Concatenate("C", "A", "B").Fit(data));
        Assert.AreEqual("B", e.ColumnName);
        Assert.AreEqual("Double", e.ActualType);
        StringAssert.Contains(e.ExpectedType, "Single");
    }

    [TestMethod]
    public void CopyColumns_KeepsTypeAndAnnotations_AndSameNameHidesTheInput()
    {
        var ctx = new MLContext(1);
        var data = ctx.Data.LoadFromEnumerable(TestRows.Labeled(5));
        var keyed = ctx.Transforms.Conversion.MapValueToKey("Key", "Label").Fit(data).Transform(data);
        var copied = ctx.Transforms.CopyColumns("Key2", "Key").Fit(keyed).Transform(keyed);
        Assert.AreEqual(keyed.Schema["Key"].Type, copied.Schema["Key2"].Type);
        CollectionAssert.AreEqual(keyed.Schema["Key"].GetKeyValueNames()!.ToArray(), copied.Schema["Key2"].GetKeyValueNames()!.ToArray());
        CollectionAssert.AreEqual(keyed.GetColumn<uint>("Key").ToArray(), copied.GetColumn<uint>("Key2").ToArray());
        var replaced = ctx.Transforms.CopyColumns("Label", "Weight").Fit(data).Transform(data);
        Assert.AreEqual(NumberDataViewType.Single, replaced.Schema["Label"].Type);
        Assert.IsTrue(replaced.Schema.Count(c => c.Name == "Label" && c.IsHidden) == 1);
    }

    [TestMethod]
    public void SelectAndDrop_ShapeTheSchema()
    {
        var ctx = new MLContext(1);
        var data = ctx.Data.LoadFromEnumerable(TestRows.Labeled(5));
        var selected = ctx.Transforms.SelectColumns("Weight", "Label").Fit(data).Transform(data);
        CollectionAssert.AreEqual(new[] { "Weight", "Label" }, selected.Schema.Select(c => c.Name).ToArray());
        var dropped = ctx.Transforms.DropColumns("Features").Fit(data).Transform(data);
        CollectionAssert.AreEqual(new[] { "Label", "Weight" }, dropped.Schema.Select(c => c.Name).ToArray());
        CollectionAssert.AreEqual(data.GetColumn<string>("Label").ToArray(), dropped.GetColumn<string>("Label").ToArray());
        Assert.ThrowsExactly<ArgumentException>(() => ctx.Transforms.DropColumns("Label", "Label"));
    }

    [TestMethod]
    public void CustomMapping_CallsTheDelegateOncePerRow_OnlyWhenItsColumnsAreRead()
    {
        var ctx = new MLContext(1);
        var rows = TestRows.Labeled(20);
        var data = ctx.Data.LoadFromEnumerable(rows);
        int calls = 0;
        var model = ctx.Transforms.CustomMapping<WeightInput, WeightOutput>((i, o) =>
        {
            Interlocked.Increment(ref calls);
            WeightMappingFactory.Map(i, o);
        }, null).Fit(data);
        var output = model.Transform(data);
        _ = output.GetColumn<string>("Label").ToList();
        Assert.AreEqual(0, calls, "the mapping is not run for columns that do not need it");
        var read = ViewReader.ReadAll(output, null, "DoubleWeight", "Parity", "Head");
        Assert.AreEqual(20, calls, "one call per row for all three outputs");
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.AreEqual(rows[i].Weight * 2, read[i][0]);
            Assert.AreEqual((int)rows[i].Weight % 2 == 0 ? "even" : "odd", read[i][1]);
            CollectionAssert.AreEqual(rows[i].Features[..2], (float[])read[i][2]!);
        }
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => ctx.Model.Save(model, data.Schema, new MemoryStream()));
        StringAssert.Contains(e.Message, "contract");
    }
}
