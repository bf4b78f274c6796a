using MlPipelines.Data;
using MlPipelines.Model;
using MlPipelines.Transforms;

namespace MlPipelines.Pipelines.Tests.Helpers;

public sealed class WeightInput
{
    public float Weight { get; set; }

    [VectorType(4)]
    public float[] Features { get; set; } = [];
}

public sealed class WeightOutput
{
    public float DoubleWeight { get; set; }

    public string Parity { get; set; } = "";

    [VectorType(2)]
    public float[] Head { get; set; } = [];
}

/// <summary>The custom mapping used across tests, saved under the contract "test.weights".</summary>
[CustomMappingFactory(Contract)]
public sealed class WeightMappingFactory : CustomMappingFactory<WeightInput, WeightOutput>
{
    public const string Contract = "test.weights";

    public static void Map(WeightInput input, WeightOutput output)
    {
        output.DoubleWeight = input.Weight * 2;
        output.Parity = ((int)input.Weight % 2 == 0) ? "even" : "odd";
        output.Head = input.Features[..2];
    }

    public override Action<WeightInput, WeightOutput> GetMapping() => Map;
}

/// <summary>A training-only augmentation for tests: adds 1000 to the first item of a float vector.</summary>
public sealed class ShiftFeaturesTransformer(string column) : TrainingOnlyTransformerBase
{
    public const string ComponentName = "test.shift";

    public string Column => column;

    public override void Save(ModelSaveContext context)
    {
        context.SetComponent(ComponentName, 1);
        context.SetOptions(column);
    }

    public static ITransformer Load(ModelLoadContext context) => new ShiftFeaturesTransformer(context.GetOptions<string>());

    protected override ColumnMapperBase MakeMapper(DataViewSchema inputSchema)
    {
        var input = SchemaShapeChecks.RequireColumn(inputSchema, column, "Vector<Single>");
        if (input.Type is not VectorDataViewType { ItemType: NumberDataViewType n } || n != NumberDataViewType.Single)
            throw new SchemaMismatchException(column, "Vector<Single>", input.Type.ToString());
        return new Mapper(inputSchema, input);
    }

    private sealed class Mapper(DataViewSchema schema, DataViewSchema.Column input)
        : ColumnMapperBase(schema, [new DataViewSchema.DetachedColumn(input.Name, input.Type, input.Annotations)])
    {
        public override IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> activeOutput) => activeOutput(0) ? [input] : [];

        public override Delegate?[] CreateGetters(DataViewRow row, Func<int, bool> activeOutput)
        {
            if (!activeOutput(0)) return [null];
            var source = row.GetGetter<VBuffer<float>>(input);
            var scratch = default(VBuffer<float>);
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
            {
                source(ref scratch);
                var editor = VBufferEditor.Create(ref value, scratch.Length);
                scratch.CopyTo(editor.Values);
                editor.Values[0] += 1000;
                value = editor.Commit();
            };
            return [getter];
        }
    }
}

/// <summary>Estimator of <see cref="ShiftFeaturesTransformer"/>.</summary>
public sealed class ShiftFeaturesEstimator(string column) : TrivialEstimator<ShiftFeaturesTransformer>(new ShiftFeaturesTransformer(column))
{
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var c = SchemaShapeChecks.RequireColumn(inputSchema, Transformer.Column, "Vector<Single>");
        if (c.Kind == SchemaShape.Column.VectorKind.Scalar || c.ItemType != NumberDataViewType.Single)
            throw new SchemaMismatchException(Transformer.Column, "Vector<Single>", c.GetTypeString());
        return inputSchema;
    }
}

/// <summary>A custom column type ("test.point") registered by this assembly's registrar, to test self-registration.</summary>
public sealed class Point(int x, int y)
{
    public int X { get; } = x;

    public int Y { get; } = y;

    public override bool Equals(object? obj) => obj is Point p && p.X == X && p.Y == Y;

    public override int GetHashCode() => HashCode.Combine(X, Y);
}

public sealed class PointDataViewType() : StructuredDataViewType(typeof(Point))
{
    public override bool Equals(DataViewType? other) => other is PointDataViewType;

    public override int GetHashCode() => 17;

    public override string ToString() => "Point";
}

public sealed class PointColumnType : CustomColumnType<Point>
{
    public override string Name => "test.point";

    public override bool CanSerialize => true;

    public override StructuredDataViewType CreateType(System.Reflection.MemberInfo? member) => new PointDataViewType();

    public override void Serialize(Point value, System.Buffers.IBufferWriter<byte> output)
    {
        var span = output.GetSpan(8);
        BitConverter.TryWriteBytes(span, value.X);
        BitConverter.TryWriteBytes(span[4..], value.Y);
        output.Advance(8);
    }

    public override Point Deserialize(ReadOnlySpan<byte> data) => new(BitConverter.ToInt32(data), BitConverter.ToInt32(data[4..]));
}

public sealed class TestRegistrar : IComponentRegistrar
{
    public void Register(ComponentCatalog catalog)
    {
        catalog.RegisterColumnType(new PointColumnType());
        catalog.RegisterTransformer(ShiftFeaturesTransformer.ComponentName, ShiftFeaturesTransformer.Load);
        catalog.RegisterTransformer(RowSumTransformer.ComponentName, RowSumTransformer.Load);
    }
}
