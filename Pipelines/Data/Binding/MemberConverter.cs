namespace MlPipelines.Data.Binding;

/// <summary>Converts between a user's member type and a column's raw type.</summary>
internal abstract class MemberConverter<TMember, TRaw>
{
    /// <summary>Writes <paramref name="member"/> into <paramref name="raw"/> (reusing its buffer); <paramref name="column"/> names errors.</summary>
    public abstract void ToRaw(TMember member, ref TRaw raw, string column);

    /// <summary>A new member value from <paramref name="raw"/> (fresh arrays: raw buffers are reused).</summary>
    public abstract TMember FromRaw(ref TRaw raw);
}

/// <summary>Same type on both sides (numbers, booleans, text memory, custom objects).</summary>
internal sealed class IdentityConverter<T> : MemberConverter<T, T>
{
    public override void ToRaw(T member, ref T raw, string column) => raw = member;

    public override T FromRaw(ref T raw) => raw;
}

/// <summary>A VBuffer member: copied in both directions.</summary>
internal sealed class VBufferConverter<TItem>(int size) : MemberConverter<VBuffer<TItem>, VBuffer<TItem>>
{
    public override void ToRaw(VBuffer<TItem> member, ref VBuffer<TItem> raw, string column)
    {
        ArrayConverter<TItem>.CheckSize(column, size, member.Length);
        var editor = VBufferEditor.Create(ref raw, member.Length);
        member.CopyTo(editor.Values);
        raw = editor.Commit();
    }

    public override VBuffer<TItem> FromRaw(ref VBuffer<TItem> raw) => new(raw.ToArray());
}

/// <summary>An array member (null reads as empty).</summary>
internal sealed class ArrayConverter<TItem>(int size) : MemberConverter<TItem[]?, VBuffer<TItem>>
{
    public override void ToRaw(TItem[]? member, ref VBuffer<TItem> raw, string column)
    {
        int length = member?.Length ?? 0;
        CheckSize(column, size, length);
        var editor = VBufferEditor.Create(ref raw, length);
        member?.CopyTo(editor.Values);
        raw = editor.Commit();
    }

    public override TItem[]? FromRaw(ref VBuffer<TItem> raw) => raw.ToArray();

    internal static void CheckSize(string column, int size, int length)
    {
        if (size > 0 && length != size)
            throw new InvalidOperationException($"Column '{column}' holds vectors of {size} items, but a row has {length}.");
    }
}

/// <summary>A string member as text (null reads as empty).</summary>
internal sealed class TextConverter : MemberConverter<string?, ReadOnlyMemory<char>>
{
    public override void ToRaw(string? member, ref ReadOnlyMemory<char> raw, string column) => raw = (member ?? string.Empty).AsMemory();

    public override string? FromRaw(ref ReadOnlyMemory<char> raw) => raw.ToString();
}

/// <summary>A string array member as a text vector.</summary>
internal sealed class TextArrayConverter(int size) : MemberConverter<string?[]?, VBuffer<ReadOnlyMemory<char>>>
{
    public override void ToRaw(string?[]? member, ref VBuffer<ReadOnlyMemory<char>> raw, string column)
    {
        int length = member?.Length ?? 0;
        ArrayConverter<string>.CheckSize(column, size, length);
        var editor = VBufferEditor.Create(ref raw, length);
        for (int i = 0; i < length; i++) editor.Values[i] = (member![i] ?? string.Empty).AsMemory();
        raw = editor.Commit();
    }

    public override string?[]? FromRaw(ref VBuffer<ReadOnlyMemory<char>> raw)
    {
        var result = new string?[raw.Length];
        var values = raw.GetValues();
        for (int i = 0; i < result.Length; i++) result[i] = values[i].ToString();
        return result;
    }
}

/// <summary>A zero-based uint class index as a key (v becomes key v + 1; uint.MaxValue is missing).</summary>
internal sealed class UIntKeyConverter(ulong count) : MemberConverter<uint, uint>
{
    public override void ToRaw(uint member, ref uint raw, string column)
    {
        if (member == uint.MaxValue) raw = 0;
        else if (member >= count) throw new InvalidOperationException($"Column '{column}' has {count} categories, but a row holds class index {member}.");
        else raw = member + 1;
    }

    public override uint FromRaw(ref uint raw) => raw == 0 ? uint.MaxValue : raw - 1;
}

/// <summary>A zero-based int class index as a key (v becomes key v + 1; negative is missing).</summary>
internal sealed class IntKeyConverter(ulong count) : MemberConverter<int, uint>
{
    public override void ToRaw(int member, ref uint raw, string column)
    {
        if (member < 0) raw = 0;
        else if ((ulong)member >= count) throw new InvalidOperationException($"Column '{column}' has {count} categories, but a row holds class index {member}.");
        else raw = (uint)member + 1;
    }

    public override int FromRaw(ref uint raw) => (int)raw - 1;
}
