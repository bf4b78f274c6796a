using MlPipelines.Data;
using MlPipelines.Data.Binding;
using MlPipelines.Data.Views;

namespace MlPipelines;

/// <summary>
/// Runs a fitted model on one object at a time (ML.NET's PredictionEngine): the input object's members feed a single row
/// through the transformers' row mappers, and the output columns fill a <typeparamref name="TDst"/>. Training-only
/// transformers are the identity here. Not thread-safe: use one per thread, or a <see cref="PredictionEnginePool{TSrc, TDst}"/>.
/// </summary>
/// <typeparam name="TSrc">The input class.</typeparam>
/// <typeparam name="TDst">The output class (members named after output columns).</typeparam>
public sealed class PredictionEngine<TSrc, TDst> : IDisposable
    where TSrc : class
    where TDst : class, new()
{
    private readonly ObjectRow<TSrc> _input;
    private readonly DataViewRow _output;
    private readonly Action<TDst>[] _writers;

    internal PredictionEngine(ComponentCatalog catalog, ITransformer transformer, DataViewSchema? inputSchema, bool ignoreMissingColumns)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        if (!transformer.IsRowToRowMapper)
            throw new InvalidOperationException($"{transformer.GetType().Name} cannot map single rows, so it cannot make predictions one at a time.");
        var inputBinding = RowBinding<TSrc>.Create(catalog, forWriting: false, inputSchema);
        _input = new ObjectRow<TSrc>(inputBinding);
        var mapper = transformer.GetRowToRowMapper(inputBinding.Schema);
        OutputSchema = mapper.OutputSchema;

        var outputBinding = RowBinding<TDst>.Create(catalog, forWriting: true);
        var bound = new List<(MemberBinding<TDst> Member, DataViewSchema.Column Column)>();
        foreach (var m in outputBinding.Members)
        {
            var column = OutputSchema.GetColumnOrNull(m.ColumnName);
            if (column is null)
            {
                if (ignoreMissingColumns) continue;
                throw new InvalidOperationException($"The model's output has no column '{m.ColumnName}' for {m.MemberDescription}; the output has {OutputSchema.DescribeNames()}.");
            }
            bound.Add((m, column.Value));
        }
        _output = mapper.GetRow(_input, bound.Select(b => b.Column));
        _writers = bound.Select(b => b.Member.MakeWriter(_output, b.Column)).ToArray();
    }

    /// <summary>The model's output schema.</summary>
    public DataViewSchema OutputSchema { get; }

    /// <summary>The prediction for <paramref name="example"/>, in a new object.</summary>
    public TDst Predict(TSrc example)
    {
        var prediction = new TDst();
        Predict(example, ref prediction);
        return prediction;
    }

    /// <summary>The prediction for <paramref name="example"/>, written into <paramref name="prediction"/> (created when null).</summary>
    public void Predict(TSrc example, ref TDst prediction)
    {
        ArgumentNullException.ThrowIfNull(example);
        prediction ??= new TDst();
        _input.Current = example;
        try
        {
            foreach (var w in _writers) w(prediction);
        }
        finally
        {
            _input.Current = null;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _output.Dispose();
        _input.Dispose();
    }
}
