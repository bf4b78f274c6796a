using MlPipelines.Data;
using MlPipelines.Model;

namespace MlPipelines.Evaluation.Tests.Helpers;

/// <summary>
/// A test-only classifier: learns the class frequencies of its training rows and scores every row with them.
/// It records the ids (column "Id") of the rows it was trained on, so tests can check what each fold saw.
/// </summary>
internal sealed class PriorEstimator(int classes) : IEstimator<ITransformer>
{
    public List<float[]> TrainIds { get; } = [];

    public ITransformer Fit(IDataView input)
    {
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var counts = new double[classes];
        foreach (uint key in input.GetColumn<uint>("Label"))
            if (key > 0) counts[key - 1]++;
        TrainIds.Add(input.GetColumn<float>("Id").ToArray());
        double total = counts.Sum();
        return new PriorTransformer(counts.Select(c => (float)(c / total)).ToArray());
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        SchemaShapeChecks.RequireColumn(inputSchema, "Label", "Key<UInt32>");
        SchemaShapeChecks.RequireColumn(inputSchema, "Id", "Single");
        return inputSchema.With([
            SchemaShape.Column.FromType("Score", new VectorDataViewType(NumberDataViewType.Single, classes), null),
            SchemaShape.Column.FromType("PredictedLabel", new KeyDataViewType(typeof(uint), classes), null)]);
    }
}

/// <summary>Scores every row with fixed class frequencies (eagerly, into an in-memory view: tests only).</summary>
internal sealed class PriorTransformer(float[] prior) : ITransformer
{
    public float[] Prior => prior;

    public bool IsRowToRowMapper => false;

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Build(inputSchema, [], []).Schema;

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => throw new NotSupportedException();

    public void Save(ModelSaveContext context) => throw new InvalidOperationException("Test transformer.");

    public IDataView Transform(IDataView input) =>
        Build(input.Schema, input.GetColumn<float>("Id").ToArray(), input.GetColumn<uint>("Label").ToArray());

    private IDataView Build(DataViewSchema schema, float[] ids, uint[] labels)
    {
        var label = schema["Label"];
        uint predicted = (uint)ScoredViews.ArgMax(prior) + 1;
        return new InMemoryDataViewBuilder()
            .AddColumn("Id", ids)
            .AddColumn("Label", label.Type, labels, label.Annotations)
            .AddVectorColumn("Score", new VectorDataViewType(NumberDataViewType.Single, prior.Length), labels.Select(_ => prior).ToArray())
            .AddColumn("PredictedLabel", new KeyDataViewType(typeof(uint), prior.Length), labels.Select(_ => predicted).ToArray())
            .ToDataView();
    }
}
