using MlPipelines.Data;
using MlPipelines.Data.Binding;
using MlPipelines.Model;

namespace MlPipelines.Transforms;

/// <summary>
/// Adds <typeparamref name="TDst"/>'s members as columns computed by a delegate from <typeparamref name="TSrc"/> objects read
/// from the input row (one call per row, shared by all output columns). Saving needs a contract name.
/// </summary>
/// <typeparam name="TSrc">The input row class.</typeparam>
/// <typeparam name="TDst">The output row class.</typeparam>
public sealed class CustomMappingTransformer<TSrc, TDst> : RowToRowTransformerBase
    where TSrc : class, new()
    where TDst : class, new()
{
    private readonly Action<TSrc, TDst> _mapAction;
    private readonly string? _contractName;

    internal CustomMappingTransformer(ComponentCatalog catalog, Action<TSrc, TDst> mapAction, string? contractName)
    {
        ArgumentNullException.ThrowIfNull(mapAction);
        _mapAction = mapAction;
        _contractName = contractName;
        Input = RowBinding<TSrc>.Create(catalog, forWriting: true);
        Output = RowBinding<TDst>.Create(catalog, forWriting: false);
    }

    internal RowBinding<TSrc> Input { get; }

    internal RowBinding<TDst> Output { get; }

    /// <summary>The contract name under which the mapping is saved, or null (then it cannot be saved).</summary>
    public string? ContractName => _contractName;

    /// <inheritdoc />
    public override void Save(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_contractName is null)
            throw new InvalidOperationException(
                "A custom mapping without a contract name cannot be saved: pass contractName and register a CustomMappingFactory for it.");
        context.SetComponent(CustomMappingTransformerLoader.ComponentName, 1);
        context.SetOptions(new CustomMappingTransformerLoader.SavedOptions(_contractName));
    }

    /// <inheritdoc />
    protected override ColumnMapperBase MakeMapper(DataViewSchema inputSchema)
    {
        var columns = Input.Members.Select(m =>
        {
            var column = SchemaShapeChecks.RequireColumn(inputSchema, m.ColumnName, m.Type.ToString()!);
            if (!m.Accepts(column.Type)) throw new SchemaMismatchException(m.ColumnName, m.Type.ToString()!, column.Type.ToString());
            return column;
        }).ToArray();
        return new Mapper(inputSchema, this, columns);
    }

    private sealed class Mapper(DataViewSchema schema, CustomMappingTransformer<TSrc, TDst> owner, DataViewSchema.Column[] inputs)
        : ColumnMapperBase(schema, owner.Output.Members.Select(m => new DataViewSchema.DetachedColumn(m.ColumnName, m.Type, m.Annotations)))
    {
        public override IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> activeOutput) =>
            Enumerable.Range(0, OutputColumns.Count).Any(activeOutput) ? inputs : [];

        public override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput)
        {
            var getters = new Delegate?[OutputColumns.Count];
            if (!Enumerable.Range(0, getters.Length).Any(activeOutput)) return getters;
            var writers = owner.Input.Members.Select((m, i) => m.MakeWriter(input, inputs[i])).ToArray();
            long position = long.MinValue;
            long batch = long.MinValue;
            TDst? current = null;
            TDst Current()
            {
                if (current is null || input.Position != position || input.Batch != batch)
                {
                    var source = new TSrc();
                    foreach (var w in writers) w(source);
                    var result = new TDst();
                    owner._mapAction(source, result);
                    current = result;
                    position = input.Position;
                    batch = input.Batch;
                }
                return current;
            }
            for (int i = 0; i < getters.Length; i++)
                if (activeOutput(i)) getters[i] = owner.Output.Members[i].MakeReader(Current);
            return getters;
        }
    }
}

/// <summary>Loads saved custom mappings through their registered factories.</summary>
internal static class CustomMappingTransformerLoader
{
    internal const string ComponentName = "mlp.custom_mapping";

    internal sealed record SavedOptions(string ContractName);

    public static ITransformer Load(ModelLoadContext context)
    {
        context.CheckVersion(1);
        string contract = context.GetOptions<SavedOptions>().ContractName;
        var factory = context.Catalog.FindCustomMappingFactory(contract)
            ?? throw context.Error($"no CustomMappingFactory is registered for contract '{Model.Format.SafeTensors.Clip(contract ?? "")}' " +
                "(call ctx.ComponentCatalog.RegisterAssembly with the assembly that defines it)");
        return factory.CreateTransformer(context.Catalog, contract);
    }
}
