using System.Reflection;
using System.Runtime.ExceptionServices;
using MlPipelines.Data;
using MlPipelines.DataPrep.Data;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Transforms;

/// <summary>
/// A batch cursor over pixel extraction that reads its input with a set of up to DegreeOfParallelism row cursors: for
/// each batch, worker k takes rows [k·B/w, (k+1)·B/w) from its own cursor in parallel (decoding, augmenting and
/// resizing upstream run on its thread), topping up from the others in order when one runs dry; CopyFloats on the
/// pixel column then extracts the batch's images in parallel straight into the caller's buffer. With one worker the
/// rows come in the view's order; with w workers the order is fixed by w (and the shuffle seed).
/// </summary>
internal sealed class ParallelPixelBatchCursor : DataViewBatchCursor
{
    private static readonly MethodInfo BoxMethod = typeof(ParallelPixelBatchCursor).GetMethod(nameof(MakeBoxReader), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly PixelExtractingTransformer _owner;
    private readonly ImageDataViewType _declared;
    private readonly int _pixelIndex;
    private readonly bool[] _active;
    private readonly Worker[] _workers;
    private readonly Image[] _images;
    private readonly object?[][] _values;
    private readonly ParallelOptions _parallel;
    private long _position = -1;
    private int _count;

    public ParallelPixelBatchCursor(IDataView input, DataViewSchema schema, List<DataViewSchema.Column> columns, DataViewSchema.Column imageColumn,
        ImageDataViewType declared, int pixelIndex, PixelExtractingTransformer owner, int batchSize, Random? rand)
        : base(schema, batchSize)
    {
        _owner = owner;
        _declared = declared;
        _pixelIndex = pixelIndex;
        _active = new bool[schema.Count];
        foreach (var c in columns) _active[c.Index] = true;
        var inputColumns = columns.Where(c => c.Index != pixelIndex).Select(c => input.Schema[c.Index]).Append(imageColumn).DistinctBy(c => c.Index).ToList();
        int dop = owner.DegreeOfParallelism;
        var cursors = dop == 1 ? [input.GetRowCursor(inputColumns, rand)] : input.GetRowCursorSet(inputColumns, dop, rand);
        _values = new object?[schema.Count][];
        var boxed = columns.Where(c => c.Index != pixelIndex).Select(c => c.Index).Distinct().ToArray();
        foreach (int i in boxed) _values[i] = new object?[batchSize];
        _workers = cursors.Select(c => new Worker(c, imageColumn, boxed.Select(i => (i, MakeReader(c, input.Schema[i]))).ToArray())).ToArray();
        _images = new Image[batchSize];
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, dop) };
    }

    public override int Count => _count;

    public override long Position => _position;

    public override bool MoveNext()
    {
        _position = _position < 0 ? 0 : _position + _count;
        int w = _workers.Length, b = BatchSize;
        var filled = new int[w];
        Run(w, k =>
        {
            int start = (int)((long)b * k / w), end = (int)((long)b * (k + 1) / w);
            filled[k] = _workers[k].Fill(start, end - start, this);
        });
        // Compact the chunks, then top up from the workers still running, in order.
        _count = 0;
        for (int k = 0; k < w; k++)
        {
            int start = (int)((long)b * k / w);
            for (int i = 0; i < filled[k]; i++) MoveSlot(start + i, _count++);
        }
        for (int k = 0; k < w && _count < b; k++)
            _count += _workers[k].Fill(_count, b - _count, this);
        return _count > 0;
    }

    public override bool IsColumnActive(DataViewSchema.Column column) => column.Index < _active.Length && _active[column.Index];

    public override void CopyFloats(DataViewSchema.Column column, Span<float> destination)
    {
        int width = CheckFloats(column, destination.Length);
        if (column.Index == _pixelIndex)
        {
            unsafe
            {
                fixed (float* p = destination)
                {
                    nint address = (nint)p;
                    long position = _position;
                    Run(_count, i => _owner.Extract(_images[i], _declared, new Span<float>((float*)address + (long)i * width, width), position + i));
                }
            }
            return;
        }
        var values = _values[column.Index]!;
        for (int i = 0; i < _count; i++) destination[i] = Convert.ToSingle(values[i], System.Globalization.CultureInfo.InvariantCulture);
    }

    public override void CopyKeys(DataViewSchema.Column column, Span<int> destination)
    {
        bool isKey = CheckKeys(column, destination.Length);
        var values = _values[column.Index]!;
        for (int i = 0; i < _count; i++) destination[i] = isKey ? (int)(uint)values[i]! - 1 : (int)values[i]!;
    }

    public override void CopyValues<TValue>(DataViewSchema.Column column, Span<TValue> destination)
    {
        CheckValues<TValue>(column, destination.Length);
        if (column.Index == _pixelIndex)
        {
            int channels = _owner.Options.Channels;
            for (int i = 0; i < _count; i++)
            {
                var pixels = new float[channels * _images[i].Width * _images[i].Height];
                _owner.Extract(_images[i], _declared, pixels, _position + i);
                destination[i] = (TValue)(object)new VBuffer<float>(pixels);
            }
            return;
        }
        var values = _values[column.Index]!;
        for (int i = 0; i < _count; i++) destination[i] = (TValue)values[i]!;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            foreach (var w in _workers) w.Cursor.Dispose();
        base.Dispose(disposing);
    }

    private void MoveSlot(int from, int to)
    {
        if (from == to) return;
        _images[to] = _images[from];
        foreach (var v in _values)
            if (v is not null) v[to] = v[from];
    }

    private void Run(int count, Action<int> body)
    {
        if (count <= 1 || _parallel.MaxDegreeOfParallelism == 1)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        try
        {
            Parallel.For(0, count, _parallel, body);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    private static Func<object?> MakeReader(DataViewRow row, DataViewSchema.Column column) =>
        (Func<object?>)BoxMethod.MakeGenericMethod(column.Type.RawType).Invoke(null, [row, column])!;

    private static Func<object?> MakeBoxReader<T>(DataViewRow row, DataViewSchema.Column column)
    {
        var getter = row.GetGetter<T>(column);
        return () =>
        {
            T value = default!;
            getter(ref value);
            return value;
        };
    }

    private sealed class Worker(DataViewRowCursor cursor, DataViewSchema.Column imageColumn, (int Index, Func<object?> Read)[] readers)
    {
        private readonly ValueGetter<Image> _image = cursor.GetGetter<Image>(imageColumn);
        private bool _done;

        public DataViewRowCursor Cursor => cursor;

        /// <summary>Reads up to <paramref name="count"/> rows into slots from <paramref name="start"/>; returns how many.</summary>
        public int Fill(int start, int count, ParallelPixelBatchCursor owner)
        {
            int n = 0;
            while (n < count && !_done)
            {
                if (!cursor.MoveNext())
                {
                    _done = true;
                    break;
                }
                int slot = start + n;
                Image image = null!;
                _image(ref image);
                owner._images[slot] = image;
                foreach (var (index, read) in readers) owner._values[index]![slot] = read();
                n++;
            }
            return n;
        }
    }
}
