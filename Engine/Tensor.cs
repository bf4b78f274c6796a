using System.Runtime.CompilerServices;

namespace MlPipelines.Engine;

/// <summary>
/// An n-dimensional float32 array: a shape and row-major strides over a region of a managed buffer.
/// Tensors are plain managed memory (no IDisposable); views share their buffer.
/// Every writable access (<see cref="Span"/>, the indexer's setter) counts as a write to the buffer, which lets a layer
/// keep a form derived from its weights (packed GEMM panels) for as long as nobody could have changed them; reads that
/// must not count go through <see cref="Values"/>.
/// </summary>
public sealed class Tensor
{
    private readonly float[] _buffer;
    private readonly int _offset;
    private readonly int[] _shape;
    private readonly int[] _strides;
    private readonly WriteCount _writes;

    /// <summary>Writable accesses to one buffer, shared by every tensor over it.</summary>
    private sealed class WriteCount(bool untracked)
    {
        /// <summary>Whether code outside the tensors may write the buffer (an array the caller wrapped and kept).</summary>
        public readonly bool Untracked = untracked;

        public long Count;
    }

    /// <summary>Creates a zero-filled contiguous tensor.</summary>
    public Tensor(params int[] shape)
        : this(new float[CheckedLength(shape)], 0, shape, new WriteCount(untracked: false))
    {
    }

    /// <summary>
    /// Wraps <paramref name="data"/> (not copied) as a contiguous tensor of the given shape. The caller may go on writing
    /// the array, so nothing derived from this tensor's values is ever kept (see <see cref="Adopt"/>).
    /// </summary>
    public Tensor(float[] data, params int[] shape)
        : this(data, shape, untracked: true)
    {
    }

    private Tensor(float[] data, int[] shape, bool untracked)
        : this(data, 0, shape, new WriteCount(untracked))
    {
        if (data.Length != Length)
            throw new ArgumentException($"Data length {data.Length} does not match shape [{string.Join(", ", shape)}] ({Length} elements).", nameof(data));
    }

    /// <summary>
    /// A tensor that takes <paramref name="data"/> over (not copied): the caller hands the array to the tensor and writes
    /// it only through the tensor from then on, so that forms derived from its values (a layer's packed weights) can be
    /// kept while they are unchanged. A model loader's freshly decoded arrays are such data.
    /// </summary>
    public static Tensor Adopt(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new Tensor(data, shape, untracked: false);
    }

    /// <summary>A contiguous tensor over the shape's number of elements of <paramref name="buffer"/> from <paramref name="offset"/> (a view: no copy).</summary>
    internal static Tensor View(float[] buffer, int offset, params int[] shape) => new(buffer, offset, shape, new WriteCount(untracked: true));

    private Tensor(float[] buffer, int offset, int[] shape, WriteCount writes)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        _shape = (int[])shape.Clone();
        Length = CheckedLength(_shape);
        if (offset < 0 || offset + (long)Length > buffer.Length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"Region [{offset}, {offset + (long)Length}) exceeds the buffer of {buffer.Length} elements.");
        _buffer = buffer;
        _offset = offset;
        _strides = ContiguousStrides(_shape);
        _writes = writes;
    }

    /// <summary>The size of each dimension.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>Elements to step over per index of each dimension (row-major: the last is 1).</summary>
    public ReadOnlySpan<int> Strides => _strides;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Total number of elements.</summary>
    public int Length { get; }

    /// <summary>The size of dimension <paramref name="dim"/>; negative values count from the end.</summary>
    public int Dim(int dim) => _shape[dim < 0 ? _shape.Length + dim : dim];

    /// <summary>The elements in row-major order, writable: taking it counts as a write (see <see cref="Values"/>).</summary>
    public Span<float> Span
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            _writes.Count++;
            return _buffer.AsSpan(_offset, Length);
        }
    }

    /// <summary>The elements in row-major order, read-only: taking it does not count as a write.</summary>
    public ReadOnlySpan<float> Values
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _buffer.AsSpan(_offset, Length);
    }

    /// <summary>
    /// Changes whenever this tensor's buffer may have been written through any tensor over it; null when writes cannot be
    /// tracked (the buffer is an array its creator kept, see <see cref="Adopt"/>). Equal versions mean equal values.
    /// </summary>
    internal long? WriteVersion => _writes.Untracked ? null : _writes.Count;

    /// <summary>The underlying buffer and the offset of this tensor's first element.</summary>
    internal (float[] Buffer, int Offset) Storage => (_buffer, _offset);

    /// <summary>Element at the given indices.</summary>
    public float this[params int[] index]
    {
        get => _buffer[_offset + FlatIndex(index)];
        set
        {
            _writes.Count++;
            _buffer[_offset + FlatIndex(index)] = value;
        }
    }

    /// <summary>A view with another shape over the same elements.</summary>
    public Tensor Reshape(params int[] shape)
    {
        int inferred = Array.IndexOf(shape, -1);
        if (inferred >= 0)
        {
            shape = (int[])shape.Clone();
            long known = 1;
            for (int i = 0; i < shape.Length; i++) if (i != inferred) known *= shape[i];
            if (known == 0 || Length % known != 0)
                throw new ArgumentException($"Cannot infer a dimension reshaping [{ShapeString(_shape)}] to [{ShapeString(shape)}].", nameof(shape));
            shape[inferred] = (int)(Length / known);
        }
        if (CheckedLength(shape) != Length)
            throw new ArgumentException($"Cannot reshape [{ShapeString(_shape)}] ({Length} elements) to [{ShapeString(shape)}].", nameof(shape));
        return new Tensor(_buffer, _offset, shape, _writes);
    }

    /// <summary>A deep copy with its own buffer.</summary>
    public Tensor Clone()
    {
        var copy = new Tensor(_shape);
        Values.CopyTo(copy.Span);
        return copy;
    }

    /// <summary>Sets every element to zero.</summary>
    public void Clear() => Span.Clear();

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    public void Fill(float value) => Span.Fill(value);

    /// <summary>True when both tensors have the same shape.</summary>
    public bool SameShape(Tensor other) => _shape.AsSpan().SequenceEqual(other._shape);

    /// <summary>Shape formatted as "[2, 3, 4]".</summary>
    public string ShapeText => "[" + ShapeString(_shape) + "]";

    /// <inheritdoc />
    public override string ToString() => $"Tensor{ShapeText}";

    private int FlatIndex(int[] index)
    {
        if (index.Length != _shape.Length)
            throw new ArgumentException($"Expected {_shape.Length} indices, got {index.Length}.", nameof(index));
        int flat = 0;
        for (int i = 0; i < index.Length; i++)
        {
            if ((uint)index[i] >= (uint)_shape[i])
                throw new IndexOutOfRangeException($"Index {index[i]} out of range for dimension {i} of size {_shape[i]}.");
            flat += index[i] * _strides[i];
        }
        return flat;
    }

    internal static int CheckedLength(ReadOnlySpan<int> shape)
    {
        long length = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"Negative dimension in shape [{ShapeString(shape)}].", nameof(shape));
            length *= d;
            if (length > Array.MaxLength) throw new ArgumentException($"Shape [{ShapeString(shape)}] has too many elements.", nameof(shape));
        }
        return (int)length;
    }

    private static int[] ContiguousStrides(int[] shape)
    {
        var strides = new int[shape.Length];
        int s = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= shape[i];
        }
        return strides;
    }

    private static string ShapeString(ReadOnlySpan<int> shape) => string.Join(", ", shape.ToArray());
}
