namespace MlPipelines.Transforms;

/// <summary>
/// The per-cursor state of a <see cref="BatchColumnMapperBase"/>: gathers the inputs of up to BatchSize rows, computes the
/// added columns for all of them at once (e.g. one forward pass of a network), then serves them row by row.
/// </summary>
public abstract class ColumnBatchWorker
{
    /// <summary>Reads the input row's current values into slot <paramref name="slot"/> of the batch (0 &lt;= slot &lt; BatchSize).</summary>
    public abstract void AddRow(int slot);

    /// <summary>Computes the added columns of slots [0, <paramref name="count"/>).</summary>
    public abstract void Compute(int count);

    /// <summary>
    /// A <see cref="Data.ValueGetter{TValue}"/> of the raw type of added column <paramref name="outputColumn"/>; each call must
    /// call <paramref name="slot"/> first (it may trigger the computation) and read the value of that slot.
    /// </summary>
    public abstract Delegate GetGetter(int outputColumn, Func<int> slot);
}
