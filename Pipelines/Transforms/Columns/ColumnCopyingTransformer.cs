using MlPipelines.Data;
using MlPipelines.Internal;
using MlPipelines.Model;

namespace MlPipelines.Transforms;

/// <summary>Adds copies of columns under new names; values, type and annotations are those of the source.</summary>
public sealed class ColumnCopyingTransformer : RowToRowTransformerBase
{
    internal const string ComponentName = "mlp.copy_columns";
    private readonly (string OutputColumnName, string InputColumnName)[] _columns;

    internal ColumnCopyingTransformer((string OutputColumnName, string InputColumnName)[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Length == 0 || columns.Any(c => string.IsNullOrEmpty(c.OutputColumnName) || string.IsNullOrEmpty(c.InputColumnName)))
            throw new ArgumentException("Give one or more (output, input) column name pairs.", nameof(columns));
        _columns = [.. columns];
    }

    /// <inheritdoc />
    public override void Save(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetComponent(ComponentName, 1);
        context.SetOptions(new SavedOptions(_columns.Select(c => c.OutputColumnName).ToArray(), _columns.Select(c => c.InputColumnName).ToArray()));
    }

    internal static ITransformer Load(ModelLoadContext context)
    {
        context.CheckVersion(1);
        var saved = context.GetOptions<SavedOptions>();
        if (saved.OutputColumnNames.Length != saved.InputColumnNames.Length) throw context.Error("its name lists differ in length");
        return new ColumnCopyingTransformer(saved.OutputColumnNames.Zip(saved.InputColumnNames).ToArray());
    }

    /// <inheritdoc />
    protected override ColumnMapperBase MakeMapper(DataViewSchema inputSchema)
    {
        var inputs = _columns.Select(c => SchemaShapeChecks.RequireColumn(inputSchema, c.InputColumnName, "any column")).ToArray();
        var outputs = _columns.Select((c, i) => new DataViewSchema.DetachedColumn(c.OutputColumnName, inputs[i].Type, inputs[i].Annotations));
        return new Mapper(inputSchema, outputs, inputs);
    }

    private sealed record SavedOptions(string[] OutputColumnNames, string[] InputColumnNames);

    private sealed class Mapper(DataViewSchema schema, IEnumerable<DataViewSchema.DetachedColumn> outputs, DataViewSchema.Column[] inputs)
        : ColumnMapperBase(schema, outputs)
    {
        public override IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> activeOutput) =>
            inputs.Where((_, i) => activeOutput(i));

        public override Delegate?[] CreateGetters(DataViewRow row, Func<int, bool> activeOutput) =>
            inputs.Select((c, i) => activeOutput(i) ? GenericDispatch.Invoke(c.Type.RawType, new GetterFunc(row, c)) : null).ToArray();
    }

    private sealed class GetterFunc(DataViewRow row, DataViewSchema.Column input) : IGenericFunc<Delegate>
    {
        public Delegate Invoke<T>() => row.GetGetter<T>(input);
    }
}
