namespace MlPipelines.Data;

/// <summary>Creates <see cref="VBufferEditor{T}"/>s: the way a getter writes a vector into the caller's buffer, reusing its array.</summary>
public static class VBufferEditor
{
    /// <summary>
    /// An editor for a vector of <paramref name="newLength"/> items that reuses <paramref name="destination"/>'s
    /// array when it is large enough (its old contents remain: write every item) and allocates otherwise.
    /// </summary>
    public static VBufferEditor<T> Create<T>(ref VBuffer<T> destination, int newLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(newLength);
        T[]? buffer = destination.Buffer;
        if (buffer is null || buffer.Length < newLength) buffer = new T[newLength];
        return new VBufferEditor<T>(buffer, newLength);
    }
}
