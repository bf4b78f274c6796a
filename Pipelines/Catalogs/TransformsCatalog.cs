using MlPipelines.Transforms;

namespace MlPipelines;

/// <summary>
/// Data transforms (ctx.Transforms): column operations and custom mappings here, conversions in <see cref="Conversion"/>;
/// other assemblies (DataPrep's image transforms) add extension methods.
/// </summary>
public sealed partial class TransformsCatalog
{
    internal TransformsCatalog(MLContext context)
    {
        Context = context;
        Conversion = new ConversionTransforms(context);
    }

    /// <summary>The context (for extension methods).</summary>
    public MLContext Context { get; }

    /// <summary>Type conversions: value to key and back.</summary>
    public ConversionTransforms Conversion { get; }

    /// <summary>Concatenates scalar and vector columns of one item type into a vector column, in order.</summary>
    public ColumnConcatenatingEstimator Concatenate(string outputColumnName, params string[] inputColumnNames) =>
        new(outputColumnName, inputColumnNames);

    /// <summary>Copies <paramref name="inputColumnName"/> to <paramref name="outputColumnName"/> (values, type and annotations).</summary>
    public ColumnCopyingEstimator CopyColumns(string outputColumnName, string inputColumnName) =>
        new((outputColumnName, inputColumnName));

    /// <summary>Removes the named columns (every column of each name, hidden ones included).</summary>
    public ColumnSelectingEstimator DropColumns(params string[] columnNames) => ColumnSelectingEstimator.Drop(columnNames);

    /// <summary>Keeps only the named columns, in the given order.</summary>
    public ColumnSelectingEstimator SelectColumns(params string[] columnNames) => ColumnSelectingEstimator.Keep(columnNames);

    /// <summary>
    /// Maps rows with a delegate: <typeparamref name="TSrc"/>'s members are read from the input columns of the same names,
    /// <typeparamref name="TDst"/>'s members become new columns. To save the model, pass a <paramref name="contractName"/>
    /// and register a <see cref="CustomMappingFactory{TSrc, TDst}"/> for it (ML.NET's rule).
    /// </summary>
    public CustomMappingEstimator<TSrc, TDst> CustomMapping<TSrc, TDst>(Action<TSrc, TDst> mapAction, string? contractName)
        where TSrc : class, new()
        where TDst : class, new() =>
        new(Context.ComponentCatalog, mapAction, contractName);
}
