using System.Buffers;

namespace MlPipelines.Data.Storage;

/// <summary>Binary form of column values for the on-disk cache (native byte order: the file never leaves the process).</summary>
internal abstract class ValueCodec<T>
{
    /// <summary>Bytes per value when constant; −1 when values vary in size.</summary>
    public abstract int FixedSize { get; }

    /// <summary>Writes <paramref name="value"/>.</summary>
    public abstract void Write(ref T value, IBufferWriter<byte> output);

    /// <summary>Reads a value written by <see cref="Write"/>, reusing <paramref name="value"/>'s buffer.</summary>
    public abstract void Read(ReadOnlySpan<byte> data, ref T value);
}
