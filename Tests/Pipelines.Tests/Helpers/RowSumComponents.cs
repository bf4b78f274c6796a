using System.Collections.Concurrent;
using MlPipelines.Data;
using MlPipelines.Model;
using MlPipelines.Transforms;

namespace MlPipelines.Pipelines.Tests.Helpers;

/// <summary>A batch-scoring transformer for tests: "Sum" = sum of a 4-float vector, computed per batch; logs batch sizes.</summary>
public sealed class RowSumTransformer(string input, int batchSize) : RowToRowTransformerBase
{
    public const string ComponentName = "test.rowsum";

    public ConcurrentQueue<int> Batches { get; } = new();

    public override void Save(ModelSaveContext context)
    {
        context.SetComponent(ComponentName, 1);
        context.SetOptions(new Saved(input, batchSize));
    }

    public static ITransformer Load(ModelLoadContext context)
    {
        var saved = context.GetOptions<Saved>();
        return new RowSumTransformer(saved.Input, saved.BatchSize);
    }

    protected override ColumnMapperBase MakeMapper(DataViewSchema inputSchema)
    {
        var column = SchemaShapeChecks.RequireType(inputSchema, input, new VectorDataViewType(NumberDataViewType.Single, 4));
        return new Mapper(inputSchema, column, batchSize, Batches);
    }

    public sealed record Saved(string Input, int BatchSize);

    private sealed class Mapper(DataViewSchema schema, DataViewSchema.Column input, int batchSize, ConcurrentQueue<int> log)
        : BatchColumnMapperBase(schema, [new DataViewSchema.DetachedColumn("Sum", NumberDataViewType.Single)], batchSize)
    {
        public override IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> activeOutput) => activeOutput(0) ? [input] : [];

        public override ColumnBatchWorker CreateWorker(DataViewRow row, Func<int, bool> activeOutput) => new Worker(row.GetGetter<VBuffer<float>>(input), BatchSize, log);
    }

    private sealed class Worker(ValueGetter<VBuffer<float>> getter, int batchSize, ConcurrentQueue<int> log) : ColumnBatchWorker
    {
        private readonly float[] _inputs = new float[batchSize * 4];
        private readonly float[] _sums = new float[batchSize];
        private VBuffer<float> _row;

        public override void AddRow(int slot)
        {
            getter(ref _row);
            _row.CopyTo(_inputs.AsSpan(slot * 4, 4));
        }

        public override void Compute(int count)
        {
            log.Enqueue(count);
            for (int i = 0; i < count; i++) _sums[i] = _inputs[i * 4] + _inputs[i * 4 + 1] + _inputs[i * 4 + 2] + _inputs[i * 4 + 3];
        }

        public override Delegate GetGetter(int outputColumn, Func<int> slot)
        {
            ValueGetter<float> g = (ref float value) => value = _sums[slot()];
            return g;
        }
    }
}

public sealed class RowSumEstimator(string input, int batchSize) : TrivialEstimator<RowSumTransformer>(new RowSumTransformer(input, batchSize))
{
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var need = new SchemaShape.Column("Features", SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, null, [4]);
        SchemaShapeChecks.RequireCompatible(inputSchema, "Features", need);
        return inputSchema.With([new SchemaShape.Column("Sum", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false)]);
    }
}
