using MlPipelines.Data;
using MlPipelines.Pipelines.Tests.Helpers;
using MlPipelines.Transforms;

namespace MlPipelines.Pipelines.Tests.Transforms;

[TestClass]
public sealed class ConversionTransformTests
{
    private sealed class Labels
    {
        public string Label { get; set; } = "";

        public float Score { get; set; }
    }

    private static IDataView Data(MLContext ctx, params string[] labels) =>
        ctx.Data.LoadFromEnumerable(labels.Select((l, i) => new Labels { Label = l, Score = labels.Length - i }).ToList());

    [TestMethod]
    public void ByOccurrence_NumbersKeysInOrderOfFirstAppearance()
    {
        var ctx = new MLContext(1);
        var data = Data(ctx, "dog", "cat", "dog", "bird", "cat");
        var output = ctx.Transforms.Conversion.MapValueToKey("Key", "Label").Fit(data).Transform(data);
        CollectionAssert.AreEqual(new[] { "dog", "cat", "bird" }, output.Schema["Key"].GetKeyValueNames()!.ToArray());
        CollectionAssert.AreEqual(new uint[] { 1, 2, 1, 3, 2 }, output.GetColumn<uint>("Key").ToArray());
        Assert.AreEqual(new KeyDataViewType(typeof(uint), 3), output.Schema["Key"].Type);
    }

    [TestMethod]
    public void ByValue_SortsOrdinally_AndIgnoresRowOrder()
    {
        var ctx = new MLContext(1);
        var data = Data(ctx, "dog", "Cat", "dog", "bird", "cat");
        var estimator = ctx.Transforms.Conversion.MapValueToKey("Key", "Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue);
        var names = estimator.Fit(data).KeyValueNames;
        CollectionAssert.AreEqual(new[] { "Cat", "bird", "cat", "dog" }, names.ToArray());
        var shuffled = ctx.Data.ShuffleRows(data, seed: 3);
        CollectionAssert.AreEqual(names.ToArray(), estimator.Fit(shuffled).KeyValueNames.ToArray());
    }

    [TestMethod]
    public void UnknownValues_MapToMissingKey_AndBackToEmpty()
    {
        var ctx = new MLContext(1);
        var model = ctx.Transforms.Conversion.MapValueToKey("Key", "Label")
            .Append(ctx.Transforms.Conversion.MapKeyToValue("Back", "Key"))
            .Fit(Data(ctx, "a", "b"));
        var output = model.Transform(Data(ctx, "b", "zebra", "a"));
        CollectionAssert.AreEqual(new uint[] { 2, 0, 1 }, output.GetColumn<uint>("Key").ToArray());
        CollectionAssert.AreEqual(new[] { "b", "", "a" }, output.GetColumn<string>("Back").ToArray());
    }

    [TestMethod]
    public void MaximumNumberOfKeys_CapsTheDictionary()
    {
        var ctx = new MLContext(1);
        var data = Data(ctx, "a", "b", "c", "d");
        var output = ctx.Transforms.Conversion.MapValueToKey("Key", "Label", maximumNumberOfKeys: 2).Fit(data).Transform(data);
        CollectionAssert.AreEqual(new uint[] { 1, 2, 0, 0 }, output.GetColumn<uint>("Key").ToArray());
    }

    [TestMethod]
    public void NumericValues_KeepTheirTypeInKeyValues_AndRoundTrip()
    {
        var ctx = new MLContext(1);
        var data = ctx.Data.LoadFromEnumerable(new[] { 2.5f, float.NaN, -1f, 2.5f }.Select(s => new Labels { Score = s }).ToList());
        var output = ctx.Transforms.Conversion.MapValueToKey("Key", "Score")
            .Append(ctx.Transforms.Conversion.MapKeyToValue("Back", "Key")).Fit(data).Transform(data);
        CollectionAssert.AreEqual(new uint[] { 1, 0, 2, 1 }, output.GetColumn<uint>("Key").ToArray(), "NaN is missing");
        var values = default(VBuffer<float>);
        output.Schema["Key"].GetKeyValues(ref values);
        CollectionAssert.AreEqual(new[] { 2.5f, -1f }, values.ToArray());
        CollectionAssert.AreEqual(new[] { 2.5f, 0f, -1f, 2.5f }, output.GetColumn<float>("Back").ToArray());
    }

    [TestMethod]
    public void KeyData_SuppliesTheValuesAndTheirOrder()
    {
        var ctx = new MLContext(1);
        var keyData = ctx.Data.LoadFromEnumerable(new[] { "z", "y", "x" }.Select(s => new Labels { Label = s }).ToList());
        var keys = ctx.Data.CreateEnumerable<Labels>(keyData, false).Count();
        Assert.AreEqual(3, keys);
        var textOnly = ctx.Transforms.SelectColumns("Label").Fit(keyData).Transform(keyData);
        var t = ctx.Transforms.Conversion.MapValueToKey("Key", "Label", keyData: textOnly).Fit(Data(ctx, "x", "q"));
        CollectionAssert.AreEqual(new[] { "z", "y", "x" }, t.KeyValueNames.ToArray());
        var e = Assert.ThrowsExactly<SchemaMismatchException>(() =>
            ctx.Transforms.Conversion.MapValueToKey("Key", "Label", keyData: ctx.Transforms.SelectColumns("Score").Fit(keyData).Transform(keyData)).Fit(Data(ctx, "x")));
        Assert.AreEqual("Score", e.ColumnName);
    }

    [TestMethod]
    public void SchemaErrors_NameColumnExpectedAndActual()
    {
        var ctx = new MLContext(1);
        var data = ctx.Data.LoadFromEnumerable(TestRows.Labeled(3));
        var e = Assert.ThrowsExactly<SchemaMismatchException>(() => ctx.Transforms.Conversion.MapValueToKey("K", "Features").Fit(data));
        Assert.AreEqual("Features", e.ColumnName);
        Assert.AreEqual("Vector<Single, 4>", e.ActualType);
        StringAssert.Contains(e.Message, "String");
        var missing = Assert.ThrowsExactly<SchemaMismatchException>(() => ctx.Transforms.Conversion.MapKeyToValue("V", "Nope").Fit(data));
        Assert.IsNull(missing.ActualType);
        StringAssert.Contains(missing.Message, "'Nope'");
    }
}
