namespace MlPipelines.Data.Storage;

/// <summary>Memory store of variable-length vectors: one owned array per row.</summary>
internal sealed class VectorSlots<TItem> : ValueSlots<VBuffer<TItem>>
{
    private readonly ScalarSlots<TItem[]> _rows;
    private readonly long _itemSize;

    public VectorSlots(long itemSize)
    {
        _itemSize = itemSize;
        _rows = new ScalarSlots<TItem[]>(a => 24 + a.Length * _itemSize);
    }

    public override long Count => _rows.Count;

    public override long BytesUsed => _rows.BytesUsed;

    public override void Set(long index, ref VBuffer<TItem> value)
    {
        TItem[] copy = value.ToArray();
        _rows.Set(index, ref copy);
    }

    public override void Get(long index, ref VBuffer<TItem> value)
    {
        TItem[] items = null!;
        _rows.Get(index, ref items);
        var editor = VBufferEditor.Create(ref value, items.Length);
        items.CopyTo(editor.Values);
        value = editor.Commit();
    }

    public override void Release() => _rows.Release();
}
