using System.Runtime.CompilerServices;

namespace MlPipelines.Data.Storage;

/// <summary>
/// Memory store of fixed-size vectors, row-major in large contiguous chunks: a run of rows is one block copy,
/// which is what makes batch cursors over cached data run at memory bandwidth.
/// </summary>
internal sealed class FixedVectorSlots<TItem> : ValueSlots<VBuffer<TItem>>
{
    private const int TargetChunkItems = 1 << 22;
    private readonly int _width;
    private readonly int _rowsPerChunk;
    private TItem[][] _chunks;
    private long _count;

    public FixedVectorSlots(int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        _width = width;
        _rowsPerChunk = Math.Max(1, TargetChunkItems / width);
        _chunks = [];
    }

    /// <summary>Wraps <paramref name="flat"/> (rows x width, not copied) as a full store.</summary>
    public FixedVectorSlots(int width, TItem[] flat)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if (flat.Length % width != 0) throw new ArgumentException($"{flat.Length} items is not a whole number of rows of {width}.", nameof(flat));
        _width = width;
        _count = flat.Length / width;
        _rowsPerChunk = (int)Math.Max(1, _count);
        _chunks = [flat];
    }

    public override long Count => _count;

    public override long BytesUsed => _count * _width * Unsafe.SizeOf<TItem>();

    public override void Set(long index, ref VBuffer<TItem> value)
    {
        if ((ulong)index > (ulong)_count) throw new ArgumentOutOfRangeException(nameof(index));
        if (value.Length != _width)
            throw new InvalidOperationException($"A vector of {value.Length} items was found in a column whose type promises {_width}.");
        long chunk = index / _rowsPerChunk;
        if (chunk >= _chunks.Length) Array.Resize(ref _chunks, Math.Max(4, _chunks.Length * 2));
        _chunks[chunk] ??= new TItem[(long)_rowsPerChunk * _width];
        value.GetValues().CopyTo(RowSpan(index));
        if (index == _count) _count++;
    }

    public override void Get(long index, ref VBuffer<TItem> value)
    {
        if ((ulong)index >= (ulong)_count) throw new ArgumentOutOfRangeException(nameof(index));
        var editor = VBufferEditor.Create(ref value, _width);
        RowSpan(index).CopyTo(editor.Values);
        value = editor.Commit();
    }

    public override void CopyFloats(long first, int count, Span<float> destination, int width)
    {
        if ((ulong)first > (ulong)_count || count > _count - first) throw new ArgumentOutOfRangeException(nameof(count));
        int done = 0;
        while (done < count)
        {
            long row = first + done;
            int inChunk = (int)(row % _rowsPerChunk);
            int run = Math.Min(count - done, _rowsPerChunk - inChunk);
            var source = new ReadOnlySpan<TItem>(_chunks[row / _rowsPerChunk], inChunk * _width, run * _width);
            FloatConvert.Items(source, destination.Slice(done * _width, run * _width), run * _width);
            done += run;
        }
    }

    public override void GatherFloats(ReadOnlySpan<long> rows, Span<float> destination, int width)
    {
        if (width != _width) throw new InvalidOperationException($"Rows hold {_width} items, not {width}.");
        destination = destination[..(rows.Length * _width)];
        for (int i = 0; i < rows.Length; i++)
        {
            long row = rows[i];
            if ((ulong)row >= (ulong)_count) throw new ArgumentOutOfRangeException(nameof(rows));
            long chunk = Math.DivRem(row, _rowsPerChunk, out long inChunk);
            var source = new ReadOnlySpan<TItem>(_chunks[chunk], (int)inChunk * _width, _width);
            var target = destination.Slice(i * _width, _width);
            FloatConvert.Items(source, target, _width);
        }
    }

    public override void Release()
    {
        _chunks = [];
        _count = 0;
    }

    private Span<TItem> RowSpan(long index) =>
        new(_chunks[index / _rowsPerChunk], (int)(index % _rowsPerChunk) * _width, _width);
}
