namespace MlPipelines.Data.Storage;

/// <summary>Memory store of values copied by assignment (numbers, text, custom objects), in chunks of 16,384.</summary>
internal sealed class ScalarSlots<T> : ValueSlots<T>
{
    private const int Shift = 14;
    private const int ChunkSize = 1 << Shift;
    private readonly Func<T, long> _size;
    private T[][] _chunks = [];
    private long _count;
    private long _bytes;

    public ScalarSlots(Func<T, long> size) => _size = size;

    public override long Count => _count;

    public override long BytesUsed => _bytes;

    public override void Set(long index, ref T value)
    {
        if ((ulong)index > (ulong)_count) throw new ArgumentOutOfRangeException(nameof(index));
        int chunk = (int)(index >> Shift);
        if (chunk >= _chunks.Length) Array.Resize(ref _chunks, Math.Max(4, _chunks.Length * 2));
        _chunks[chunk] ??= new T[ChunkSize];
        ref T slot = ref _chunks[chunk][index & (ChunkSize - 1)];
        if (index == _count)
        {
            _count++;
            _bytes += _size(value);
        }
        slot = value;
    }

    public override void Get(long index, ref T value)
    {
        if ((ulong)index >= (ulong)_count) throw new ArgumentOutOfRangeException(nameof(index));
        value = _chunks[index >> Shift][index & (ChunkSize - 1)];
    }

    public override void Release()
    {
        _chunks = [];
        _count = 0;
        _bytes = 0;
    }
}
