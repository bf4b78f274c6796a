using System.Buffers;
using System.Runtime.InteropServices;

namespace MlPipelines.Data.Storage;

/// <summary>
/// Append-only store of column values in a temporary file (deleted when released or when the process ends);
/// reads are positional and thread-safe once sealed. Fixed-size float vectors are read straight into the
/// caller's batch buffer.
/// </summary>
internal sealed class DiskSlots<T> : ValueSlots<T>
{
    private readonly ValueCodec<T> _codec;
    private readonly ArrayBufferWriter<byte> _scratch = new();
    private readonly List<long> _offsets = [];
    private FileStream? _file;
    private long _count;
    private long _length;
    private bool _sealed;

    public DiskSlots(ValueCodec<T> codec, string folder)
    {
        _codec = codec;
        Directory.CreateDirectory(folder);
        _file = new FileStream(Path.Combine(folder, $"mlp-cache-{Guid.NewGuid():N}.bin"), FileMode.CreateNew, FileAccess.ReadWrite,
            FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
    }

    public override long Count => _count;

    public override long BytesUsed => 0;

    /// <summary>Bytes written to the file.</summary>
    public long FileBytes => _length;

    public override void Set(long index, ref T value)
    {
        if (_sealed || index != _count) throw new InvalidOperationException("The on-disk cache store only appends, before it is sealed.");
        _scratch.ResetWrittenCount();
        _codec.Write(ref value, _scratch);
        File.Write(_scratch.WrittenSpan);
        if (_codec.FixedSize < 0) _offsets.Add(_length);
        _length += _scratch.WrittenCount;
        _count++;
    }

    public override void Seal()
    {
        if (_sealed) return;
        File.Flush();
        if (_codec.FixedSize < 0) _offsets.Add(_length);
        _sealed = true;
    }

    public override void Get(long index, ref T value)
    {
        var (offset, length) = Locate(index);
        byte[]? rented = null;
        Span<byte> buffer = length <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            buffer = buffer[..length];
            ReadExactly(buffer, offset);
            _codec.Read(buffer, ref value);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override void CopyFloats(long first, int count, Span<float> destination, int width)
    {
        if (typeof(T) != typeof(VBuffer<float>) || _codec.FixedSize != width * sizeof(float))
        {
            base.CopyFloats(first, count, destination, width);
            return;
        }
        if ((ulong)first > (ulong)_count || count > _count - first) throw new ArgumentOutOfRangeException(nameof(count));
        CheckSealed();
        ReadExactly(MemoryMarshal.AsBytes(destination[..(count * width)]), first * _codec.FixedSize);
    }

    public override void GatherFloats(ReadOnlySpan<long> rows, Span<float> destination, int width)
    {
        if (typeof(T) != typeof(VBuffer<float>) || _codec.FixedSize != width * sizeof(float))
        {
            base.GatherFloats(rows, destination, width);
            return;
        }
        for (int i = 0; i < rows.Length; i++)
        {
            var (offset, _) = Locate(rows[i]);
            ReadExactly(MemoryMarshal.AsBytes(destination.Slice(i * width, width)), offset);
        }
    }

    public override void Release()
    {
        _file?.Dispose();
        _file = null;
        _offsets.Clear();
        _count = 0;
    }

    private FileStream File => _file ?? throw new ObjectDisposedException(nameof(DiskSlots<T>));

    private (long Offset, int Length) Locate(long index)
    {
        CheckSealed();
        if ((ulong)index >= (ulong)_count) throw new ArgumentOutOfRangeException(nameof(index));
        int size = _codec.FixedSize;
        if (size >= 0) return (index * size, size);
        long start = _offsets[(int)index];
        return (start, checked((int)(_offsets[(int)index + 1] - start)));
    }

    private void CheckSealed()
    {
        if (!_sealed) throw new InvalidOperationException("The on-disk cache store is read before it was completely written.");
    }

    private void ReadExactly(Span<byte> buffer, long offset)
    {
        var handle = File.SafeFileHandle;
        while (!buffer.IsEmpty)
        {
            int n = RandomAccess.Read(handle, buffer, offset);
            if (n <= 0) throw new IOException("The on-disk cache file ended early.");
            buffer = buffer[n..];
            offset += n;
        }
    }
}
