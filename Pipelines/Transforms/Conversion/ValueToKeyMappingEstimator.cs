using MlPipelines.Data;

namespace MlPipelines.Transforms;

/// <summary>
/// Learns the distinct values of a scalar column and maps them to keys 1..n (ML.NET's ValueToKeyMappingEstimator), keeping
/// the values as the key column's KeyValues annotation (class names for labels). Reached from ctx.Transforms.Conversion.MapValueToKey.
/// </summary>
public sealed partial class ValueToKeyMappingEstimator : IEstimator<ValueToKeyMappingTransformer>
{
    private readonly Options _options;
    private readonly IDataView? _keyData;

    /// <summary>Creates the estimator; <paramref name="keyData"/>, when given, supplies the values (its first column).</summary>
    public ValueToKeyMappingEstimator(Options options, IDataView? keyData = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.OutputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(options.InputColumnName);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaximumNumberOfKeys);
        _options = options;
        _keyData = keyData;
    }

    /// <summary>How keys are ordered.</summary>
    public enum KeyOrdinality
    {
        /// <summary>In order of first appearance in the data (unshuffled order).</summary>
        ByOccurrence,

        /// <summary>By value: ordinal for text, numeric order for numbers, false before true.</summary>
        ByValue,
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var input = SchemaShapeChecks.RequireColumn(inputSchema, _options.InputColumnName, TermMap.SupportedTypes);
        if (input.Kind != SchemaShape.Column.VectorKind.Scalar || input.IsKey || !TermMap.Supports(input.ItemType))
            throw new SchemaMismatchException(_options.InputColumnName, TermMap.SupportedTypes, input.GetTypeString());
        var valueType = _options.AddKeyValueAnnotationsAsText ? TextDataViewType.Instance : input.ItemType;
        var annotations = new SchemaShape([new SchemaShape.Column(AnnotationKinds.KeyValues, SchemaShape.Column.VectorKind.Vector, valueType, false)]);
        return inputSchema.With([new SchemaShape.Column(_options.OutputColumnName, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.UInt32, true, annotations)]);
    }

    /// <inheritdoc />
    public ValueToKeyMappingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var column = input.Schema[_options.InputColumnName];
        var source = input;
        if (_keyData is not null)
        {
            var keyColumn = _keyData.Schema.FirstOrDefault(c => !c.IsHidden);
            if (_keyData.Schema.Count == 0 || !keyColumn.Type.Equals(column.Type))
                throw new SchemaMismatchException(_keyData.Schema.Count == 0 ? "(key data)" : keyColumn.Name, column.Type.ToString()!,
                    _keyData.Schema.Count == 0 ? null : keyColumn.Type.ToString(), "keyData");
            source = _keyData;
            column = keyColumn;
        }
        var terms = TermMap.Build(source, column, _options.MaximumNumberOfKeys, _options.Ordinality);
        if (terms.Count == 0)
            throw new InvalidOperationException($"Column '{column.Name}' has no values to map to keys (the data is empty or all NaN).");
        return new ValueToKeyMappingTransformer(_options, terms);
    }
}
