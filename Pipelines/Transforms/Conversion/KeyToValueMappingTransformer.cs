using MlPipelines.Data;
using MlPipelines.Internal;
using MlPipelines.Model;

namespace MlPipelines.Transforms;

/// <summary>Maps a key column to the values in its KeyValues annotation; key 0 and out-of-range keys give the default value.</summary>
public sealed class KeyToValueMappingTransformer : RowToRowTransformerBase
{
    internal const string ComponentName = "mlp.key_to_value";
    private readonly string _output;
    private readonly string _input;

    internal KeyToValueMappingTransformer(string outputColumnName, string inputColumnName)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(inputColumnName);
        _output = outputColumnName;
        _input = inputColumnName;
    }

    /// <inheritdoc />
    public override void Save(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetComponent(ComponentName, 1);
        context.SetOptions(new SavedOptions(_output, _input));
    }

    internal static ITransformer Load(ModelLoadContext context)
    {
        context.CheckVersion(1);
        var saved = context.GetOptions<SavedOptions>();
        return new KeyToValueMappingTransformer(saved.OutputColumnName, saved.InputColumnName);
    }

    /// <inheritdoc />
    protected override ColumnMapperBase MakeMapper(DataViewSchema inputSchema)
    {
        const string Expected = "a key scalar with KeyValues";
        var input = SchemaShapeChecks.RequireColumn(inputSchema, _input, Expected);
        var values = input.Annotations.Schema.GetColumnOrNull(AnnotationKinds.KeyValues);
        if (input.Type is not KeyDataViewType || values?.Type is not VectorDataViewType valuesType)
            throw new SchemaMismatchException(_input, Expected, input.Type + (input.Type is KeyDataViewType ? " without KeyValues" : ""));
        return new Mapper(inputSchema, new DataViewSchema.DetachedColumn(_output, valuesType.ItemType), input);
    }

    private sealed record SavedOptions(string OutputColumnName, string InputColumnName);

    private sealed class Mapper(DataViewSchema schema, DataViewSchema.DetachedColumn output, DataViewSchema.Column input)
        : ColumnMapperBase(schema, [output])
    {
        public override IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> activeOutput) => activeOutput(0) ? [input] : [];

        public override Delegate?[] CreateGetters(DataViewRow row, Func<int, bool> activeOutput) =>
            [activeOutput(0) ? GenericDispatch.Invoke(output.Type.RawType, new GetterFunc(row, input)) : null];
    }

    private sealed class GetterFunc(DataViewRow row, DataViewSchema.Column input) : IGenericFunc<Delegate>
    {
        public Delegate Invoke<T>()
        {
            var values = default(VBuffer<T>);
            input.Annotations.GetValue(AnnotationKinds.KeyValues, ref values);
            T[] items = values.ToArray();
            var keys = row.GetGetter<uint>(input);
            uint key = 0;
            ValueGetter<T> getter = (ref T value) =>
            {
                keys(ref key);
                value = key >= 1 && key <= items.Length ? items[key - 1] : default!;
            };
            return getter;
        }
    }
}
