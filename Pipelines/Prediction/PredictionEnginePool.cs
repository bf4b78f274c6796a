using System.Collections.Concurrent;

namespace MlPipelines;

/// <summary>
/// A thread-safe source of predictions for servers: each call rents a <see cref="PredictionEngine{TSrc, TDst}"/> (creating
/// one when none is idle), predicts, and returns it; at most a fixed number of idle engines are kept.
/// </summary>
/// <typeparam name="TSrc">The input class.</typeparam>
/// <typeparam name="TDst">The output class.</typeparam>
public sealed class PredictionEnginePool<TSrc, TDst> : IDisposable
    where TSrc : class
    where TDst : class, new()
{
    private readonly Func<PredictionEngine<TSrc, TDst>> _factory;
    private readonly ConcurrentBag<PredictionEngine<TSrc, TDst>> _idle = [];
    private readonly int _maximumRetained;
    private int _retained;
    private int _created;

    internal PredictionEnginePool(Func<PredictionEngine<TSrc, TDst>> factory, int maximumRetained)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maximumRetained);
        _factory = factory;
        _maximumRetained = maximumRetained;
        var first = factory();
        OutputSchema = first.OutputSchema;
        Return(first);
        _created = 1;
    }

    /// <summary>The model's output schema.</summary>
    public Data.DataViewSchema OutputSchema { get; }

    /// <summary>Engines created so far.</summary>
    public int EnginesCreated => Volatile.Read(ref _created);

    /// <summary>The prediction for <paramref name="example"/>; safe to call from many threads at once.</summary>
    public TDst Predict(TSrc example)
    {
        var engine = Rent();
        try
        {
            return engine.Predict(example);
        }
        finally
        {
            Return(engine);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        while (_idle.TryTake(out var engine)) engine.Dispose();
    }

    private PredictionEngine<TSrc, TDst> Rent()
    {
        if (_idle.TryTake(out var engine))
        {
            Interlocked.Decrement(ref _retained);
            return engine;
        }
        Interlocked.Increment(ref _created);
        return _factory();
    }

    private void Return(PredictionEngine<TSrc, TDst> engine)
    {
        if (Interlocked.Increment(ref _retained) <= _maximumRetained)
        {
            _idle.Add(engine);
            return;
        }
        Interlocked.Decrement(ref _retained);
        engine.Dispose();
    }
}
