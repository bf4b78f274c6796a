using MlPipelines.Data;
using MlPipelines.Data.Binding;
using MlPipelines.Data.Caching;
using MlPipelines.Data.Views;
using MlPipelines.Internal;

namespace MlPipelines;

/// <summary>Loading data into views and back, and the row operations: split, take, skip, filter, shuffle, cache, append (ctx.Data).</summary>
public sealed partial class DataOperationsCatalog
{
    internal DataOperationsCatalog(MLContext context) => Context = context;

    /// <summary>The context (for extension methods).</summary>
    public MLContext Context { get; }

    /// <summary>
    /// A view over <paramref name="data"/>: one column per public field or property (see <see cref="ColumnNameAttribute"/>,
    /// <see cref="VectorTypeAttribute"/>, <see cref="KeyTypeAttribute"/>, <see cref="KeyValuesAttribute"/>,
    /// <see cref="NoColumnAttribute"/>). Members are read only when their column is; lists give a shuffleable view
    /// with a row count, other sequences a streaming one.
    /// </summary>
    public IDataView LoadFromEnumerable<TRow>(IEnumerable<TRow> data)
        where TRow : class => LoadFromEnumerable(data, null);

    /// <summary>As <see cref="LoadFromEnumerable{TRow}(IEnumerable{TRow})"/>, with column types and annotations taken from <paramref name="schema"/> where names and value types match.</summary>
    public IDataView LoadFromEnumerable<TRow>(IEnumerable<TRow> data, DataViewSchema? schema)
        where TRow : class
    {
        ArgumentNullException.ThrowIfNull(data);
        var binding = RowBinding<TRow>.Create(Context.ComponentCatalog, forWriting: false, schema);
        return data switch
        {
            IReadOnlyList<TRow> list => new ListDataView<TRow>(list, binding),
            IList<TRow> list => new ListDataView<TRow>(new ReadOnlyListAdapter<TRow>(list), binding),
            _ => new EnumerableDataView<TRow>(data, binding),
        };
    }

    /// <summary>
    /// The rows of <paramref name="data"/> as <typeparamref name="TRow"/> objects, read lazily (only the bound columns).
    /// Every writable member needs a column of a compatible type unless <paramref name="ignoreMissingColumns"/>.
    /// </summary>
    public IEnumerable<TRow> CreateEnumerable<TRow>(IDataView data, bool reuseRowObject, bool ignoreMissingColumns = false)
        where TRow : class, new()
    {
        ArgumentNullException.ThrowIfNull(data);
        var binding = RowBinding<TRow>.Create(Context.ComponentCatalog, forWriting: true);
        var bound = new List<(MemberBinding<TRow> Member, DataViewSchema.Column Column)>();
        foreach (var m in binding.Members)
        {
            var column = data.Schema.GetColumnOrNull(m.ColumnName);
            if (column is null)
            {
                if (ignoreMissingColumns) continue;
                throw new SchemaMismatchException(m.ColumnName, m.Type.ToString()!, null, nameof(data));
            }
            if (!m.Accepts(column.Value.Type))
                throw new SchemaMismatchException(m.ColumnName, $"a column readable into {m.MemberDescription}", column.Value.Type.ToString(), nameof(data));
            bound.Add((m, column.Value));
        }
        return Enumerate(data, bound, reuseRowObject);
    }

    /// <summary>
    /// Splits rows into a train and a test set (seeded; null draws a seed from the context). With
    /// <paramref name="stratificationColumnName"/>, each class (value of that column) gets round(count x fraction)
    /// test rows, so proportions are kept within one row per class; with <paramref name="samplingKeyColumnName"/>,
    /// rows with equal keys land on the same side (ML.NET's grouping); otherwise rows are drawn at random.
    /// Rows keep their order. The split is computed on first read, reading only the column it needs.
    /// </summary>
    public TrainTestData TrainTestSplit(IDataView data, double testFraction = 0.1, string? samplingKeyColumnName = null, int? seed = null,
        string? stratificationColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(testFraction >= 0 && testFraction <= 1)) throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "The test fraction must be between 0 and 1.");
        if (samplingKeyColumnName is not null && stratificationColumnName is not null)
            throw new ArgumentException("Give a sampling key column or a stratification column, not both.", nameof(stratificationColumnName));
        foreach (string? name in new[] { samplingKeyColumnName, stratificationColumnName })
        {
            if (name is null) continue;
            var column = SchemaShapeChecks.RequireColumn(data.Schema, name, "a scalar column");
            if (column.Type is not PrimitiveDataViewType) throw new SchemaMismatchException(name, "a scalar column", column.Type.ToString(), nameof(data));
        }
        int s = seed ?? Context.NextSeed();
        var split = new Lazy<(long[] Test, long Rows)>(() => DataSplitter.Split(data, testFraction, s, samplingKeyColumnName, stratificationColumnName));
        var train = new Lazy<long[]>(() => Complement(split.Value.Test, split.Value.Rows));
        return new TrainTestData(Subset(data, () => train.Value, () => split.IsValueCreated ? train.Value.Length : null),
            Subset(data, () => split.Value.Test, () => split.IsValueCreated ? split.Value.Test.Length : null));
    }

    /// <summary>The first <paramref name="count"/> rows (lazy; a streaming source stops reading after them).</summary>
    public IDataView TakeRows(IDataView input, long count)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (input is IndexedDataView indexed)
            return new IndexedSubsetView(indexed, () => RowMap.Range(0, Math.Min(count, indexed.RowCount)));
        long? rows = input.GetRowCount() is { } n ? Math.Min(n, count) : null;
        return new FilteredDataView(input, _ => () => true, [], positional: true, rows, count);
    }

    /// <summary>All rows but the first <paramref name="count"/>.</summary>
    public IDataView SkipRows(IDataView input, long count)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (input is IndexedDataView indexed)
            return new IndexedSubsetView(indexed, () =>
            {
                long skip = Math.Min(count, indexed.RowCount);
                return RowMap.Range(skip, indexed.RowCount - skip);
            });
        long? rows = input.GetRowCount() is { } n ? Math.Max(0, n - count) : null;
        return new FilteredDataView(input, cursor => () => cursor.Position >= count, [], positional: true, rows);
    }

    /// <summary>Drops the rows for which <paramref name="filterPredicate"/> returns true (ML.NET's semantics), reading rows as <typeparamref name="TSrc"/>.</summary>
    public IDataView FilterByCustomPredicate<TSrc>(IDataView input, Func<TSrc, bool> filterPredicate)
        where TSrc : class, new()
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(filterPredicate);
        var binding = RowBinding<TSrc>.Create(Context.ComponentCatalog, forWriting: true);
        var columns = binding.Members.Select(m =>
        {
            var column = SchemaShapeChecks.RequireColumn(input.Schema, m.ColumnName, m.Type.ToString()!);
            if (!m.Accepts(column.Type)) throw new SchemaMismatchException(m.ColumnName, m.Type.ToString()!, column.Type.ToString(), nameof(input));
            return column;
        }).ToList();
        return new FilteredDataView(input, cursor =>
        {
            var writers = binding.Members.Select((m, i) => m.MakeWriter(cursor, columns[i])).ToArray();
            return () =>
            {
                var row = new TSrc();
                foreach (var w in writers) w(row);
                return !filterPredicate(row);
            };
        }, columns, positional: false, rowCount: null);
    }

    /// <summary>Keeps the rows whose numeric column value v has <paramref name="lowerBound"/> &lt;= v &lt; <paramref name="upperBound"/> (NaN is dropped).</summary>
    public IDataView FilterRowsByColumn(IDataView input, string columnName, double lowerBound = double.NegativeInfinity, double upperBound = double.PositiveInfinity)
    {
        ArgumentNullException.ThrowIfNull(input);
        var column = SchemaShapeChecks.RequireColumn(input.Schema, columnName, "a numeric scalar");
        if (column.Type is not (NumberDataViewType or KeyDataViewType)) throw new SchemaMismatchException(columnName, "a numeric scalar", column.Type.ToString(), nameof(input));
        if (!(lowerBound < upperBound)) throw new ArgumentOutOfRangeException(nameof(upperBound), "The upper bound must exceed the lower bound.");
        return new FilteredDataView(input, cursor =>
        {
            var read = ValueReaders.Number(cursor, column);
            return () =>
            {
                double v = read();
                return v >= lowerBound && v < upperBound;
            };
        }, [column], positional: false, rowCount: null);
    }

    /// <summary>
    /// Rows in a seeded random order (null draws a seed from the context). Random-access sources get a full
    /// permutation; streaming sources a pool of <paramref name="shufflePoolSize"/> rows, fed by a shuffled source
    /// cursor when <paramref name="shuffleSource"/> and the source can shuffle.
    /// </summary>
    public IDataView ShuffleRows(IDataView input, int? seed = null, int shufflePoolSize = 1000, bool shuffleSource = true)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shufflePoolSize);
        int s = seed ?? Context.NextSeed();
        if (input is IndexedDataView indexed)
            return new IndexedSubsetView(indexed, () => RowMap.Shuffled(indexed.RowCount, new Random(s)));
        return new PoolShuffleDataView(input, s, shufflePoolSize, shuffleSource);
    }

    /// <summary>Caches <paramref name="input"/> in memory (2 GiB bound, then disk); <paramref name="columnsToPrefetch"/> are cached whenever anything is.</summary>
    public IDataView Cache(IDataView input, params string[] columnsToPrefetch) =>
        Cache(input, new CacheOptions { ColumnsToPrefetch = columnsToPrefetch ?? [] });

    /// <summary>
    /// A cached view of <paramref name="input"/>: each column is computed once, on its first read, and kept in memory or
    /// on disk per <paramref name="options"/>. The cache is random-access (shuffles, cursor sets, fast batch cursors).
    /// Dispose it (it is <see cref="IDisposable"/>) to release memory and files early.
    /// </summary>
    public IDataView Cache(IDataView input, CacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(options);
        foreach (string name in options.ColumnsToPrefetch) SchemaShapeChecks.RequireColumn(input.Schema, name, "a column to prefetch");
        return new CachedDataView(input, options, Context);
    }

    /// <summary>
    /// <paramref name="input"/> with a column of the given values in row order (raw values of <paramref name="type"/>,
    /// or strings for text); the view must have exactly as many rows.
    /// </summary>
    public IDataView AppendColumn<T>(IDataView input, string name, DataViewType type, T[] values)
    {
        ArgumentNullException.ThrowIfNull(input);
        var view = (IndexedDataView)new InMemoryDataViewBuilder().AddColumn(name, type, values).ToDataView();
        return AppendedColumnView.Create(input, new DataViewSchema.DetachedColumn(view.Schema[0]), view.GetColumn(0), values.Length);
    }

    /// <summary><paramref name="input"/> with a vector column, one array per row.</summary>
    public IDataView AppendVectorColumn<TItem>(IDataView input, string name, VectorDataViewType type, TItem[][] rows)
    {
        ArgumentNullException.ThrowIfNull(input);
        var view = (IndexedDataView)new InMemoryDataViewBuilder().AddVectorColumn(name, type, rows).ToDataView();
        return AppendedColumnView.Create(input, new DataViewSchema.DetachedColumn(view.Schema[0]), view.GetColumn(0), rows.Length);
    }

    private static IEnumerable<TRow> Enumerate<TRow>(IDataView data, List<(MemberBinding<TRow> Member, DataViewSchema.Column Column)> bound, bool reuse)
        where TRow : class, new()
    {
        using var cursor = data.GetRowCursor(bound.Select(b => b.Column));
        var writers = bound.Select(b => b.Member.MakeWriter(cursor, b.Column)).ToArray();
        TRow? shared = null;
        while (cursor.MoveNext())
        {
            var row = reuse ? shared ??= new TRow() : new TRow();
            foreach (var w in writers) w(row);
            yield return row;
        }
    }

    private static long[] Complement(long[] sortedTest, long rows)
    {
        var train = new long[rows - sortedTest.Length];
        long t = 0, k = 0;
        for (long i = 0; i < rows; i++)
        {
            if (t < sortedTest.Length && sortedTest[t] == i) t++;
            else train[k++] = i;
        }
        return train;
    }

    private static IDataView Subset(IDataView data, Func<long[]> rows, Func<long?> count)
    {
        if (data is IndexedDataView indexed) return new IndexedSubsetView(indexed, () => RowMap.FromArray(rows()), count);
        return new FilteredDataView(data, cursor =>
        {
            long[] selected = rows();
            long next = 0;
            return () =>
            {
                while (next < selected.Length && selected[next] < cursor.Position) next++;
                return next < selected.Length && selected[next] == cursor.Position;
            };
        }, [], positional: true, rowCount: null, countProvider: count);
    }
}
