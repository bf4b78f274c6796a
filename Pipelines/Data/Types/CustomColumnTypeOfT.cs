using System.Buffers;

namespace MlPipelines.Data;

/// <summary>A <see cref="CustomColumnType"/> whose values are <typeparamref name="TValue"/> objects.</summary>
/// <typeparam name="TValue">The CLR type of the column's values (immutable by convention).</typeparam>
public abstract class CustomColumnType<TValue> : CustomColumnType
{
    /// <inheritdoc />
    public sealed override Type ClrType => typeof(TValue);

    /// <summary>Writes <paramref name="value"/> for the on-disk cache; only called when <see cref="CustomColumnType.CanSerialize"/>.</summary>
    public virtual void Serialize(TValue value, IBufferWriter<byte> output) =>
        throw new NotSupportedException($"Column type '{Name}' cannot be written to disk.");

    /// <summary>Reads back a value written by <see cref="Serialize"/>.</summary>
    public virtual TValue Deserialize(ReadOnlySpan<byte> data) =>
        throw new NotSupportedException($"Column type '{Name}' cannot be read from disk.");

    /// <summary>Approximate memory held by <paramref name="value"/>, for cache size bounds.</summary>
    public virtual long EstimateSize(TValue value) => 64;
}
