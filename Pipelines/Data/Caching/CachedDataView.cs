using System.Globalization;
using MlPipelines.Data.Views;

namespace MlPipelines.Data.Caching;

/// <summary>
/// Caches a source column by column on first read (one pass over the source per set of newly requested columns,
/// plus the prefetch columns), in memory within a bound or on disk. The result is indexed: shuffleable, splittable,
/// and batch cursors copy blocks straight from the store.
/// </summary>
internal sealed class CachedDataView : IndexedDataView, IDisposable
{
    private readonly IDataView _source;
    private readonly CacheOptions _options;
    private readonly MLContext? _context;
    private readonly bool[] _prefetch;
    private readonly CacheColumn?[] _columns;
    private readonly Lock _lock = new();
    private long _rowCount = -1;

    public CachedDataView(IDataView source, CacheOptions options, MLContext? context)
        : base(source.Schema)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxMemoryBytes);
        _source = source;
        _options = options;
        _context = context;
        _prefetch = new bool[source.Schema.Count];
        foreach (string name in options.ColumnsToPrefetch) _prefetch[source.Schema[name].Index] = true;
        _columns = new CacheColumn?[source.Schema.Count];
    }

    public override long RowCount
    {
        get
        {
            if (Volatile.Read(ref _rowCount) < 0) Prepare(new bool[Schema.Count]);
            return _rowCount;
        }
    }

    public override long? GetRowCount() => _rowCount >= 0 ? _rowCount : _source.GetRowCount();

    /// <summary>Bytes of cached values held in memory.</summary>
    internal long MemoryBytes => _columns.Sum(c => c is { OnDisk: false } ? c.MemoryBytes : 0);

    /// <summary>Whether column <paramref name="index"/> is cached on disk.</summary>
    internal bool IsOnDisk(int index) => _columns[index]?.OnDisk ?? false;

    internal override void Prepare(bool[] active)
    {
        lock (_lock)
        {
            var missing = new bool[active.Length];
            bool any = false;
            for (int i = 0; i < active.Length; i++)
            {
                if (_columns[i] is null && (active[i] || _prefetch[i]))
                    missing[i] = any = true;
            }
            if (any || _rowCount < 0) Fill(missing);
        }
    }

    internal override IndexedColumn GetColumn(int index) =>
        (_columns[index] ?? throw new InvalidOperationException($"Column '{Schema[index].Name}' is not cached yet.")).Column;

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var c in _columns) c?.Release();
            Array.Clear(_columns);
        }
    }

    private void Fill(bool[] missing)
    {
        string folder = _options.SpillFolder ?? Path.GetTempPath();
        var catalog = _context?.ComponentCatalog;
        var filling = new List<CacheColumn>();
        for (int i = 0; i < missing.Length; i++)
            if (missing[i]) filling.Add(CacheColumn.Create(Schema[i], _options.Mode == CacheMode.Disk, folder, catalog));
        long settled = MemoryBytes;
        long rows = 0;
        try
        {
            using var cursor = _source.GetRowCursor(filling.Select(c => c.Source));
            foreach (var c in filling) c.Begin(cursor);
            while (cursor.MoveNext())
            {
                foreach (var c in filling) c.StoreRow();
                rows++;
                if (_options.Mode != CacheMode.Disk) CheckBound(filling, settled, folder, catalog);
            }
            foreach (var c in filling) c.Seal();
        }
        catch
        {
            foreach (var c in filling) c.Release();
            throw;
        }
        if (_rowCount >= 0 && rows != _rowCount)
        {
            foreach (var c in filling) c.Release();
            throw new InvalidOperationException($"The cached source yielded {rows} rows in one pass and {_rowCount} in an earlier one; it must be deterministic.");
        }
        foreach (var c in filling) _columns[c.Source.Index] = c;
        Volatile.Write(ref _rowCount, rows);
        _context?.WriteLog(ChannelMessageKind.Trace, "Cache",
            $"Cached {filling.Count} column(s) of {rows} rows; {MemoryBytes.ToString(CultureInfo.InvariantCulture)} bytes in memory.");
    }

    private void CheckBound(List<CacheColumn> filling, long settled, string folder, ComponentCatalog? catalog)
    {
        long total = settled;
        foreach (var c in filling) total += c.OnDisk ? 0 : c.MemoryBytes;
        if (total <= _options.MaxMemoryBytes) return;
        if (_options.Mode == CacheMode.Memory)
            throw new InvalidOperationException(
                $"The in-memory cache needs more than its bound of {_options.MaxMemoryBytes} bytes; raise CacheOptions.MaxMemoryBytes or use CacheMode.Auto or Disk.");
        foreach (var c in filling.Where(c => !c.OnDisk).OrderByDescending(c => c.MemoryBytes))
        {
            if (total <= _options.MaxMemoryBytes) break;
            total -= c.MemoryBytes;
            c.Spill(folder, catalog);
            _context?.WriteLog(ChannelMessageKind.Info, "Cache", $"Column '{c.Source.Name}' exceeds the memory bound; caching it on disk in {folder}.");
        }
    }
}
