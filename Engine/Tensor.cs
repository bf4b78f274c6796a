using System.Runtime.CompilerServices;

namespace MlPipelines.Engine;

/// <summary>
/// An n-dimensional float32 array: a shape and row-major strides over a region of a managed buffer.
/// Tensors are plain managed memory (no IDisposable); views share their buffer.
/// </summary>
public sealed class Tensor
{
    private readonly float[] _buffer;
    private readonly int _offset;
    private readonly int[] _shape;
    private readonly int[] _strides;

    /// <summary>Creates a zero-filled contiguous tensor.</summary>
    public Tensor(params int[] shape)
        : this(new float[CheckedLength(shape)], 0, shape)
    {
    }

    /// <summary>Wraps <paramref name="data"/> (not copied) as a contiguous tensor of the given shape.</summary>
    public Tensor(float[] data, params int[] shape)
        : this(data, 0, shape)
    {
        if (data.Length != Length)
            throw new ArgumentException($"Data length {data.Length} does not match shape [{string.Join(", ", shape)}] ({Length} elements).", nameof(data));
    }

    /// <summary>A contiguous tensor over the shape's number of elements of <paramref name="buffer"/> from <paramref name="offset"/> (a view: no copy).</summary>
    internal static Tensor View(float[] buffer, int offset, params int[] shape) => new(buffer, offset, shape);

    private Tensor(float[] buffer, int offset, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        _shape = (int[])shape.Clone();
        Length = CheckedLength(_shape);
        if (offset < 0 || offset + (long)Length > buffer.Length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"Region [{offset}, {offset + (long)Length}) exceeds the buffer of {buffer.Length} elements.");
        _buffer = buffer;
        _offset = offset;
        _strides = ContiguousStrides(_shape);
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

    /// <summary>The elements in row-major order.</summary>
    public Span<float> Span
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _buffer.AsSpan(_offset, Length);
    }

    /// <summary>The underlying buffer and the offset of this tensor's first element.</summary>
    internal (float[] Buffer, int Offset) Storage => (_buffer, _offset);

    /// <summary>Element at the given indices.</summary>
    public float this[params int[] index]
    {
        get => _buffer[_offset + FlatIndex(index)];
        set => _buffer[_offset + FlatIndex(index)] = value;
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
        return View(_buffer, _offset, shape);
    }

    /// <summary>A deep copy with its own buffer.</summary>
    public Tensor Clone()
    {
        var copy = new Tensor(_shape);
        Span.CopyTo(copy.Span);
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
