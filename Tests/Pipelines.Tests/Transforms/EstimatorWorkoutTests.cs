using MlPipelines.Data;
using MlPipelines.Pipelines.Tests.Helpers;
using MlPipelines.Transforms;

namespace MlPipelines.Pipelines.Tests.Transforms;

/// <summary>Runs every shipped estimator through the generic workout (bad input, schema agreement, cursor sets, row mappers, save/load).</summary>
[TestClass]
public sealed class EstimatorWorkoutTests
{
    private static readonly MLContext Ctx = NewContext();

    private static MLContext NewContext()
    {
        var ctx = new MLContext(1);
        ctx.ComponentCatalog.RegisterAssembly(typeof(EstimatorWorkoutTests).Assembly);
        return ctx;
    }

    private static IDataView Valid() => Ctx.Data.LoadFromEnumerable(TestRows.Labeled(60));

    /// <summary>A view with the given columns replaced (by name) by columns of other types.</summary>
    private static IDataView With(params (string Name, DataViewType Type)[] columns)
    {
        var builder = new InMemoryDataViewBuilder();
        foreach (var (name, type) in columns)
        {
            switch (type)
            {
                case VectorDataViewType v:
                    builder.AddVectorColumn(name, v, new float[Math.Max(1, v.Size)]);
                    break;
                case KeyDataViewType:
                    builder.AddColumn(name, type, new uint[] { 1 });
                    break;
                case TextDataViewType:
                    builder.AddColumn(name, ["x"]);
                    break;
                case NumberDataViewType n when n == NumberDataViewType.Single:
                    builder.AddColumn(name, type, new float[] { 1 });
                    break;
                default:
                    builder.AddColumn(name, type, new double[] { 1 });
                    break;
            }
        }
        return builder.ToDataView();
    }

    private static readonly DataViewType Text = TextDataViewType.Instance;
    private static readonly DataViewType F4 = new VectorDataViewType(NumberDataViewType.Single, 4);

    [TestMethod]
    public void MapValueToKey_Text()
    {
        var t = EstimatorWorkout.Run(Ctx, Ctx.Transforms.Conversion.MapValueToKey("Key", "Label"), Valid(),
            With(("Other", Text)),
            With(("Label", F4)),
            With(("Label", new KeyDataViewType(typeof(uint), 3))));
        Assert.AreEqual(4, t.KeyValueNames.Count);
    }

    [TestMethod]
    public void MapValueToKey_NumbersByValueAsText() =>
        EstimatorWorkout.Run(Ctx, Ctx.Transforms.Conversion.MapValueToKey("Weight", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue,
            addKeyValueAnnotationsAsText: true), Valid(), With(("Label", Text)));

    [TestMethod]
    public void MapKeyToValue()
    {
        var data = Ctx.Transforms.Conversion.MapValueToKey("Key", "Label").Fit(Valid()).Transform(Valid());
        EstimatorWorkout.Run(Ctx, Ctx.Transforms.Conversion.MapKeyToValue("Back", "Key"), data,
            With(("Key", NumberDataViewType.Double)),
            With(("Key", new KeyDataViewType(typeof(uint), 3))),
            With(("Other", Text)));
    }

    [TestMethod]
    public void Concatenate() =>
        EstimatorWorkout.Run(Ctx, Ctx.Transforms.Concatenate("All", "Features", "Weight", "Features"), Valid(),
            With(("Features", F4)),
            With(("Features", F4), ("Weight", NumberDataViewType.Double)),
            With(("Features", Text), ("Weight", NumberDataViewType.Double)));

    [TestMethod]
    public void CopyColumns() =>
        EstimatorWorkout.Run(Ctx, Ctx.Transforms.CopyColumns("Label2", "Label"), Valid(), With(("Other", Text)));

    [TestMethod]
    public void DropColumns() =>
        EstimatorWorkout.Run(Ctx, Ctx.Transforms.DropColumns("Weight", "Label"), Valid(), With(("Weight", F4)));

    [TestMethod]
    public void SelectColumns() =>
        EstimatorWorkout.Run(Ctx, Ctx.Transforms.SelectColumns("Weight", "Features"), Valid(), With(("Weight", F4)));

    [TestMethod]
    public void CustomMapping() =>
        EstimatorWorkout.Run(Ctx, Ctx.Transforms.CustomMapping<WeightInput, WeightOutput>(WeightMappingFactory.Map, WeightMappingFactory.Contract), Valid(),
            With(("Features", F4)),
            With(("Features", F4), ("Weight", Text)),
            With(("Features", new VectorDataViewType(NumberDataViewType.Single, 5)), ("Weight", NumberDataViewType.Single)));

    [TestMethod]
    public void TrainingOnlyTransformer() =>
        EstimatorWorkout.Run(Ctx, new ShiftFeaturesEstimator("Features"), Valid(), With(("Features", Text)), With(("Weight", F4)));

    [TestMethod]
    public void BatchScoringTransformer() =>
        EstimatorWorkout.Run(Ctx, new RowSumEstimator("Features", 7), Valid(), With(("Features", new VectorDataViewType(NumberDataViewType.Single, 5))));

    [TestMethod]
    public void EstimatorChain()
    {
        var chain = Ctx.Transforms.Conversion.MapValueToKey("Key", "Label")
            .Append(Ctx.Transforms.Concatenate("All", "Features", "Weight"))
            .Append(Ctx.Transforms.CustomMapping<WeightInput, WeightOutput>(WeightMappingFactory.Map, WeightMappingFactory.Contract))
            .Append(Ctx.Transforms.Conversion.MapKeyToValue("LabelBack", "Key"))
            .Append(Ctx.Transforms.DropColumns("Weight"));
        var model = EstimatorWorkout.Run(Ctx, chain, Valid(), With(("Label", Text)), With(("Label", Text), ("Features", F4), ("Weight", Text)));
        Assert.AreEqual(5, model.Count);
    }
}
