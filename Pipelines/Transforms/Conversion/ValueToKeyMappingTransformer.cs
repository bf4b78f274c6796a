using MlPipelines.Data;
using MlPipelines.Model;

namespace MlPipelines.Transforms;

/// <summary>Maps a column's values to learned keys; unknown values (and NaN) give key 0 (missing).</summary>
public sealed class ValueToKeyMappingTransformer : RowToRowTransformerBase
{
    internal const string ComponentName = "mlp.value_to_key";
    private readonly ValueToKeyMappingEstimator.Options _options;
    private readonly TermMap _terms;

    internal ValueToKeyMappingTransformer(ValueToKeyMappingEstimator.Options options, TermMap terms)
    {
        _options = options;
        _terms = terms;
    }

    /// <summary>The learned values in key order (key k is index k − 1), formatted invariantly.</summary>
    public IReadOnlyList<string> KeyValueNames => _terms.Format();

    /// <inheritdoc />
    public override void Save(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetComponent(ComponentName, 1);
        context.SetOptions(new SavedOptions(_options.OutputColumnName, _options.InputColumnName, _options.MaximumNumberOfKeys, _options.Ordinality,
            _options.AddKeyValueAnnotationsAsText, TermMap.TypeName(_terms.ItemType), _terms.ItemType is TextDataViewType ? _terms.Format() : null));
        _terms.Save(context);
    }

    internal static ITransformer Load(ModelLoadContext context)
    {
        context.CheckVersion(1);
        var saved = context.GetOptions<SavedOptions>();
        if (string.IsNullOrEmpty(saved.OutputColumnName) || string.IsNullOrEmpty(saved.InputColumnName) || saved.MaximumNumberOfKeys < 1)
            throw context.Error("its column names or key limit are invalid");
        var terms = TermMap.Load(context, saved.ItemType, saved.Terms);
        if (terms.Count == 0 || terms.Count > saved.MaximumNumberOfKeys) throw context.Error($"it has {terms.Count} terms");
        var options = new ValueToKeyMappingEstimator.Options
        {
            OutputColumnName = saved.OutputColumnName,
            InputColumnName = saved.InputColumnName,
            MaximumNumberOfKeys = saved.MaximumNumberOfKeys,
            Ordinality = saved.Ordinality,
            AddKeyValueAnnotationsAsText = saved.AddKeyValueAnnotationsAsText,
        };
        return new ValueToKeyMappingTransformer(options, terms);
    }

    /// <inheritdoc />
    protected override ColumnMapperBase MakeMapper(DataViewSchema inputSchema)
    {
        var input = SchemaShapeChecks.RequireType(inputSchema, _options.InputColumnName, _terms.ItemType);
        var output = new DataViewSchema.DetachedColumn(_options.OutputColumnName, new KeyDataViewType(typeof(uint), _terms.Count),
            _terms.KeyValues(_options.AddKeyValueAnnotationsAsText));
        return new Mapper(inputSchema, output, input, _terms);
    }

    private sealed record SavedOptions(string OutputColumnName, string InputColumnName, int MaximumNumberOfKeys,
        ValueToKeyMappingEstimator.KeyOrdinality Ordinality, bool AddKeyValueAnnotationsAsText, string ItemType, string[]? Terms);

    private sealed class Mapper(DataViewSchema schema, DataViewSchema.DetachedColumn output, DataViewSchema.Column input, TermMap terms)
        : ColumnMapperBase(schema, [output])
    {
        public override IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> activeOutput) => activeOutput(0) ? [input] : [];

        public override Delegate?[] CreateGetters(DataViewRow row, Func<int, bool> activeOutput) =>
            [activeOutput(0) ? terms.MakeGetter(row, input) : null];
    }
}
