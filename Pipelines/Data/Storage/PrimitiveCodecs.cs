using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace MlPipelines.Data.Storage;

/// <summary>Fixed-size codec of an unmanaged scalar.</summary>
internal sealed class UnmanagedCodec<T> : ValueCodec<T>
    where T : unmanaged
{
    public override int FixedSize => Unsafe.SizeOf<T>();

    public override void Write(ref T value, IBufferWriter<byte> output)
    {
        MemoryMarshal.Write(output.GetSpan(FixedSize), in value);
        output.Advance(FixedSize);
    }

    public override void Read(ReadOnlySpan<byte> data, ref T value) => value = MemoryMarshal.Read<T>(data);
}

/// <summary>UTF-8 codec of text.</summary>
internal sealed class TextCodec : ValueCodec<ReadOnlyMemory<char>>
{
    public override int FixedSize => -1;

    public override void Write(ref ReadOnlyMemory<char> value, IBufferWriter<byte> output)
    {
        int n = Encoding.UTF8.GetByteCount(value.Span);
        Encoding.UTF8.GetBytes(value.Span, output.GetSpan(n));
        output.Advance(n);
    }

    public override void Read(ReadOnlySpan<byte> data, ref ReadOnlyMemory<char> value) => value = Encoding.UTF8.GetString(data).AsMemory();
}

/// <summary>Codec of a dense vector of unmanaged items; fixed size when the column's size is known.</summary>
internal sealed class UnmanagedVectorCodec<TItem>(int size) : ValueCodec<VBuffer<TItem>>
    where TItem : unmanaged
{
    public override int FixedSize => size > 0 ? size * Unsafe.SizeOf<TItem>() : -1;

    public override void Write(ref VBuffer<TItem> value, IBufferWriter<byte> output)
    {
        if (size > 0 && value.Length != size)
            throw new InvalidOperationException($"A vector of {value.Length} items was found in a column whose type promises {size}.");
        var bytes = MemoryMarshal.AsBytes(value.GetValues());
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    public override void Read(ReadOnlySpan<byte> data, ref VBuffer<TItem> value)
    {
        var editor = VBufferEditor.Create(ref value, data.Length / Unsafe.SizeOf<TItem>());
        data.CopyTo(MemoryMarshal.AsBytes(editor.Values));
        value = editor.Commit();
    }
}

/// <summary>Codec of a text vector: count, then (byte length, UTF-8 bytes) per item.</summary>
internal sealed class TextVectorCodec : ValueCodec<VBuffer<ReadOnlyMemory<char>>>
{
    public override int FixedSize => -1;

    public override void Write(ref VBuffer<ReadOnlyMemory<char>> value, IBufferWriter<byte> output)
    {
        WriteInt(output, value.Length);
        foreach (var item in value.GetValues())
        {
            int n = Encoding.UTF8.GetByteCount(item.Span);
            WriteInt(output, n);
            Encoding.UTF8.GetBytes(item.Span, output.GetSpan(n));
            output.Advance(n);
        }
    }

    public override void Read(ReadOnlySpan<byte> data, ref VBuffer<ReadOnlyMemory<char>> value)
    {
        int count = MemoryMarshal.Read<int>(data);
        data = data[4..];
        var editor = VBufferEditor.Create(ref value, count);
        for (int i = 0; i < count; i++)
        {
            int n = MemoryMarshal.Read<int>(data);
            editor.Values[i] = Encoding.UTF8.GetString(data.Slice(4, n)).AsMemory();
            data = data[(4 + n)..];
        }
        value = editor.Commit();
    }

    private static void WriteInt(IBufferWriter<byte> output, int v)
    {
        MemoryMarshal.Write(output.GetSpan(4), in v);
        output.Advance(4);
    }
}

/// <summary>Codec delegating to a registered <see cref="CustomColumnType{TValue}"/>.</summary>
internal sealed class CustomCodec<T>(CustomColumnType<T> type) : ValueCodec<T>
{
    public override int FixedSize => -1;

    public override void Write(ref T value, IBufferWriter<byte> output) => type.Serialize(value, output);

    public override void Read(ReadOnlySpan<byte> data, ref T value) => value = type.Deserialize(data);
}
