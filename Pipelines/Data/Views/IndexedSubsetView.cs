namespace MlPipelines.Data.Views;

/// <summary>
/// Rows of an indexed view picked by a <see cref="RowMap"/> (split parts, take/skip, seeded shuffles); still indexed.
/// The map is made on first use, so building the view reads nothing.
/// </summary>
internal sealed class IndexedSubsetView : IndexedDataView
{
    private readonly IndexedDataView _source;
    private readonly Lazy<RowMap> _map;
    private readonly Func<long?>? _knownCount;

    /// <param name="source">The source view.</param>
    /// <param name="map">Makes the row map.</param>
    /// <param name="knownCount">
    /// For maps whose making reads data (splits): the row count once known, else null. Otherwise the map is made for the
    /// count whenever the source's count is known (no pass needed).
    /// </param>
    public IndexedSubsetView(IndexedDataView source, Func<RowMap> map, Func<long?>? knownCount = null)
        : base(source.Schema)
    {
        _source = source;
        _map = new Lazy<RowMap>(map, LazyThreadSafetyMode.ExecutionAndPublication);
        _knownCount = knownCount;
    }

    public override long RowCount => _map.Value.Count;

    public override long? GetRowCount() =>
        _map.IsValueCreated ? _map.Value.Count
        : _knownCount is not null ? _knownCount()
        : _source.GetRowCount() is not null ? _map.Value.Count : null;

    internal override void Prepare(bool[] active) => _source.Prepare(active);

    internal override IndexedColumn GetColumn(int index) => _source.GetColumn(index).Remap(_map.Value);
}
