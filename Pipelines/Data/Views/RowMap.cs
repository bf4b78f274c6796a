namespace MlPipelines.Data.Views;

/// <summary>An ordered list of row indexes: a contiguous range, or a slice of an index array (a permutation or subset).</summary>
internal sealed class RowMap
{
    private readonly long[]? _rows;
    private readonly long _start;

    private RowMap(long[]? rows, long start, long count)
    {
        _rows = rows;
        _start = start;
        Count = count;
    }

    /// <summary>Number of rows.</summary>
    public long Count { get; }

    /// <summary>Whether the rows are consecutive (index i is first + i).</summary>
    public bool IsContiguous => _rows is null;

    /// <summary>Rows start, start + 1, ..., start + count − 1.</summary>
    public static RowMap Range(long start, long count) => new(null, start, count);

    /// <summary>The rows listed in <paramref name="rows"/> (not copied).</summary>
    public static RowMap FromArray(long[] rows) => new(rows, 0, rows.Length);

    /// <summary>A random order of rows 0..count − 1 driven by <paramref name="rand"/> (Fisher–Yates).</summary>
    public static RowMap Shuffled(long count, Random rand)
    {
        var rows = new long[count];
        for (long i = 0; i < count; i++) rows[i] = i;
        for (long i = count - 1; i > 0; i--)
        {
            long j = rand.NextInt64(i + 1);
            (rows[i], rows[j]) = (rows[j], rows[i]);
        }
        return FromArray(rows);
    }

    /// <summary>The row at position <paramref name="i"/>.</summary>
    public long this[long i] => _rows is null ? _start + i : _rows[_start + i];

    /// <summary>Positions [offset, offset + count).</summary>
    public RowMap Slice(long offset, long count)
    {
        if (offset < 0 || count < 0 || offset + count > Count) throw new ArgumentOutOfRangeException(nameof(count));
        return new RowMap(_rows, _start + offset, count);
    }

    /// <summary>The rows at positions [offset, offset + count) of an array map.</summary>
    public ReadOnlySpan<long> Span(long offset, int count) =>
        _rows is null ? throw new InvalidOperationException("A range map has no index array.") : new ReadOnlySpan<long>(_rows, checked((int)(_start + offset)), count);
}
