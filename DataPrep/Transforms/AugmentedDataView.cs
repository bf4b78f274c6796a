using MlPipelines.Data;
using MlPipelines.DataPrep.Augmentation;
using MlPipelines.DataPrep.Data;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Transforms;

/// <summary>
/// Training data seen through an augmentation: the output column's getter augments the input column's image with the
/// stream of (seed, epoch, row id). Each cursor request takes the next epoch unless the epoch is fixed.
/// </summary>
internal sealed class AugmentedDataView : IDataView
{
    private readonly IDataView _input;
    private readonly IImageAugmentation _augmentation;
    private readonly ulong _seed;
    private readonly DataViewSchema.Column _inputColumn;
    private readonly DataViewSchema.Column _outputColumn;
    private readonly int? _fixedEpoch;
    private int _nextEpoch;

    public AugmentedDataView(IDataView input, IImageAugmentation augmentation, ulong seed, DataViewSchema.Column inputColumn,
        DataViewSchema.Column outputColumn, int? fixedEpoch)
    {
        _input = input;
        _augmentation = augmentation;
        _seed = seed;
        _inputColumn = inputColumn;
        _outputColumn = outputColumn;
        _fixedEpoch = fixedEpoch;
    }

    public bool CanShuffle => _input.CanShuffle;

    public DataViewSchema Schema => _input.Schema;

    /// <summary>The epoch the next cursor request gets.</summary>
    public int NextEpoch => _fixedEpoch ?? Volatile.Read(ref _nextEpoch);

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var (inner, active) = Needed(columnsNeeded);
        var (epoch, scoring) = TakeEpoch();
        return new Cursor(this, _input.GetRowCursor(inner, rand), active, epoch, scoring);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        var (inner, active) = Needed(columnsNeeded);
        var (epoch, scoring) = TakeEpoch();
        return _input.GetRowCursorSet(inner, n, rand).Select(c => (DataViewRowCursor)new Cursor(this, c, active, epoch, scoring)).ToArray();
    }

    /// <summary>
    /// The epoch of a new cursor: fixed, else the enclosing <see cref="EpochScope"/>'s (a scoring scope turns augmentation off),
    /// else the next one in request order.
    /// </summary>
    private (int Epoch, bool Scoring) TakeEpoch()
    {
        if (_fixedEpoch is int fixedEpoch) return (fixedEpoch, false);
        if (EpochScope.Consult() is { } scope) return scope.IsScoring ? (0, true) : (scope.Epoch!.Value, false);
        return (Interlocked.Increment(ref _nextEpoch) - 1, false);
    }

    private (List<DataViewSchema.Column> Inner, bool[] Active) Needed(IEnumerable<DataViewSchema.Column> columnsNeeded)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var active = new bool[Schema.Count];
        foreach (var c in columnsNeeded)
        {
            if ((uint)c.Index >= (uint)Schema.Count || Schema[c.Index].Name != c.Name) throw new ArgumentException($"Column '{c.Name}' is not a column of this view.", nameof(columnsNeeded));
            active[c.Index] = true;
        }
        var inner = new List<DataViewSchema.Column>();
        for (int i = 0; i < active.Length; i++)
            if (active[i] && i != _outputColumn.Index) inner.Add(Schema[i]);
        if (active[_outputColumn.Index] && !inner.Any(c => c.Index == _inputColumn.Index)) inner.Add(_inputColumn);
        return (inner, active);
    }

    private sealed class Cursor(AugmentedDataView owner, DataViewRowCursor inner, bool[] active, int epoch, bool scoring) : DataViewRowCursor
    {
        private readonly ValueGetter<DataViewRowId> _id = inner.GetIdGetter();

        public override long Position => inner.Position;

        public override long Batch => inner.Batch;

        public override DataViewSchema Schema => owner.Schema;

        public override bool MoveNext() => inner.MoveNext();

        public override bool IsColumnActive(DataViewSchema.Column column) => active[column.Index];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!active[column.Index]) throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was made, so it cannot be read.");
            if (column.Index != owner._outputColumn.Index) return inner.GetGetter<TValue>(column);
            if (typeof(TValue) != typeof(Image)) throw new InvalidOperationException($"Column '{column.Name}' holds images, not {typeof(TValue).Name}.");
            return (ValueGetter<TValue>)(object)MakeImageGetter();
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => _id;

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }

        private ValueGetter<Image> MakeImageGetter()
        {
            var source = inner.GetGetter<Image>(owner._inputColumn);
            var declared = (ImageDataViewType)owner._outputColumn.Type;
            Image image = null!;
            Image? last = null;
            long position = long.MinValue;
            DataViewRowId id = default;
            return (ref Image value) =>
            {
                if (last is null || inner.Position != position)
                {
                    source(ref image);
                    if (image is null) throw new InvalidOperationException($"Row {inner.Position} of column '{owner._inputColumn.Name}' has no image.");
                    if (scoring)
                    {
                        value = image;
                        return;
                    }
                    _id(ref id);
                    var random = AugmentationRandom.ForExample(owner.Seed(id), epoch, (long)id.Low);
                    var result = owner._augmentation.Augment(image, ref random);
                    if (declared.IsKnownSize && (result.Width != declared.Width || result.Height != declared.Height))
                        throw new InvalidOperationException(
                            $"{owner._augmentation.Name} made a {result.Width}x{result.Height} image, but column '{owner._outputColumn.Name}' promises {declared.Width}x{declared.Height}.");
                    last = result;
                    position = inner.Position;
                }
                value = last;
            };
        }
    }

    /// <summary>The seed for a row (row ids beyond 64 bits fold their high half in).</summary>
    private ulong Seed(DataViewRowId id) => id.High == 0 ? _seed : _seed ^ (id.High * 0x9E3779B97F4A7C15UL);
}
