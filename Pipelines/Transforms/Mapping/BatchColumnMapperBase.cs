using MlPipelines.Data;

namespace MlPipelines.Transforms;

/// <summary>
/// A <see cref="ColumnMapperBase"/> whose added columns are computed for batches of rows (model scoring). Cursors read
/// <see cref="BatchSize"/> input rows ahead (buffering the pass-through columns), call <see cref="ColumnBatchWorker.Compute"/>
/// once per batch, then yield the rows; single-row use (prediction engines, row-to-row mappers) runs batches of one.
/// </summary>
public abstract class BatchColumnMapperBase : ColumnMapperBase
{
    /// <summary>Creates a batch mapper over <paramref name="inputSchema"/> adding <paramref name="outputColumns"/>.</summary>
    protected BatchColumnMapperBase(DataViewSchema inputSchema, IEnumerable<DataViewSchema.DetachedColumn> outputColumns, int batchSize)
        : base(inputSchema, outputColumns)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        BatchSize = batchSize;
    }

    /// <summary>Rows per batch.</summary>
    public int BatchSize { get; }

    /// <summary>The worker of one cursor: it makes its input getters on <paramref name="input"/> now and reads them in AddRow.</summary>
    public abstract ColumnBatchWorker CreateWorker(DataViewRow input, Func<int, bool> activeOutput);

    /// <inheritdoc />
    public sealed override Delegate?[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput)
    {
        var getters = new Delegate?[OutputColumns.Count];
        if (!Enumerable.Range(0, getters.Length).Any(activeOutput)) return getters;
        var worker = CreateWorker(input, activeOutput);
        long position = long.MinValue, batch = long.MinValue;
        int Slot()
        {
            if (input.Position != position || input.Batch != batch)
            {
                worker.AddRow(0);
                worker.Compute(1);
                position = input.Position;
                batch = input.Batch;
            }
            return 0;
        }
        for (int i = 0; i < getters.Length; i++)
            if (activeOutput(i)) getters[i] = worker.GetGetter(i, Slot);
        return getters;
    }
}
