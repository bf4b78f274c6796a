using System.Collections;
using System.Globalization;
using MlPipelines.Data;
using MlPipelines.Model;
using MlPipelines.Transforms;

namespace MlPipelines;

/// <summary>Transformers applied in order (ML.NET's TransformerChain); what fitting an <see cref="EstimatorChain{TLastTransformer}"/> gives.</summary>
/// <typeparam name="TLastTransformer">The type of the last transformer.</typeparam>
public sealed class TransformerChain<TLastTransformer> : ITransformer, IEnumerable<ITransformer>, ITrainingTransformable
    where TLastTransformer : class, ITransformer
{
    internal const string ComponentName = "mlp.transformer_chain";
    private readonly ITransformer[] _transformers;

    /// <summary>A chain of <paramref name="transformers"/>; the last must be a <typeparamref name="TLastTransformer"/>.</summary>
    public TransformerChain(params ITransformer[] transformers)
    {
        ArgumentNullException.ThrowIfNull(transformers);
        if (transformers.Any(t => t is null)) throw new ArgumentException("A chain cannot hold null.", nameof(transformers));
        if (transformers.Length > 0 && transformers[^1] is not TLastTransformer)
            throw new ArgumentException($"The last transformer is a {transformers[^1].GetType().Name}, not a {typeof(TLastTransformer).Name}.", nameof(transformers));
        _transformers = [.. transformers];
    }

    /// <summary>The last transformer (e.g. the trained model).</summary>
    public TLastTransformer LastTransformer =>
        _transformers.Length > 0 ? (TLastTransformer)_transformers[^1] : throw new InvalidOperationException("The chain is empty.");

    /// <summary>Number of transformers.</summary>
    public int Count => _transformers.Length;

    /// <inheritdoc />
    public bool IsRowToRowMapper => _transformers.All(t => t.IsRowToRowMapper);

    /// <summary>A new chain with <paramref name="transformer"/> appended.</summary>
    public TransformerChain<TNewLast> Append<TNewLast>(TNewLast transformer)
        where TNewLast : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(transformer);
        return new TransformerChain<TNewLast>([.. _transformers, transformer]);
    }

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach (var t in _transformers) inputSchema = t.GetOutputSchema(inputSchema);
        return inputSchema;
    }

    /// <summary>Applies every transformer as when scoring (training-only ones are the identity).</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        foreach (var t in _transformers) input = t.Transform(input);
        return input;
    }

    /// <summary>Applies every transformer as during training (training-only ones act).</summary>
    public IDataView TransformForTraining(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        foreach (var t in _transformers) input = t.TransformForTraining(input);
        return input;
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var mappers = new IRowToRowMapper[_transformers.Length];
        var schema = inputSchema;
        for (int i = 0; i < mappers.Length; i++)
        {
            if (!_transformers[i].IsRowToRowMapper)
                throw new InvalidOperationException($"{_transformers[i].GetType().Name} (step {i} of the chain) cannot map single rows.");
            mappers[i] = _transformers[i].GetRowToRowMapper(schema);
            schema = mappers[i].OutputSchema;
        }
        return new CompositeRowToRowMapper(inputSchema, mappers);
    }

    /// <inheritdoc />
    public void Save(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetComponent(ComponentName, 1);
        for (int i = 0; i < _transformers.Length; i++) context.AddChild(i.ToString(CultureInfo.InvariantCulture), _transformers[i]);
    }

    /// <inheritdoc />
    public IEnumerator<ITransformer> GetEnumerator() => ((IEnumerable<ITransformer>)_transformers).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Loads saved transformer chains.</summary>
internal static class TransformerChainLoader
{
    public static ITransformer Load(ModelLoadContext context)
    {
        context.CheckVersion(1);
        var keys = context.ChildKeys;
        for (int i = 0; i < keys.Count; i++)
            if (keys[i] != i.ToString(CultureInfo.InvariantCulture)) throw context.Error($"child {i} is named '{keys[i]}'");
        return new TransformerChain<ITransformer>(keys.Select(context.LoadChild).ToArray());
    }
}
