using MlPipelines.Data;
using MlPipelines.DataPrep.Data;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Processing;
using MlPipelines.DataPrep.Transforms;
using MlPipelines.Engine;
using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Nn;
using MlPipelines.Model;
using MlPipelines.Trainers.Training;
using MlPipelines.Transforms;

namespace MlPipelines.Trainers.ImageClassification;

/// <summary>
/// A trained image classifier as a pipeline step: reads the CHW float feature vector and adds Score (softmax probabilities,
/// slot names = class names), PredictedLabel (key whose values are the class names; missing when the scores are NaN) and,
/// on request, the top-k labels and scores. Scores batches of rows at once. Saves the architecture name, input shape, class
/// names, the transfer cuts and heads applied to the architecture (if any) and the weights, and loads them back through the
/// architecture registry. A batch runs on <see cref="DegreeOfParallelism"/> threads (the trainer's setting for a trained
/// model, every core for a loaded one); per-image results do not depend on it.
/// </summary>
public sealed class ImageClassificationTransformer : RowToRowTransformerBase
{
    /// <summary>The component name in model files.</summary>
    public const string ComponentName = "MlPipelines.ImageClassification";
    private const int Version = 1;
    private const int ScoringBatch = 64;
    private readonly ScoringOptions _options;
    private readonly string[] _classNames;

    internal ImageClassificationTransformer(Module model, ScoringOptions options, IReadOnlyList<string> classNames, TrainingHistory? history,
        int degreeOfParallelism = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(degreeOfParallelism);
        Model = model;
        _options = options;
        _classNames = [.. classNames];
        History = history;
        DegreeOfParallelism = degreeOfParallelism == 0 ? Environment.ProcessorCount : degreeOfParallelism;
        model.Eval();
    }

    /// <summary>Threads that score one batch of rows (each cursor of a cursor set scores its own batches).</summary>
    public int DegreeOfParallelism { get; }

    /// <summary>The same model scoring on <paramref name="threads"/> threads (1: single-threaded, for many parallel cursors).</summary>
    public ImageClassificationTransformer WithDegreeOfParallelism(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        return new ImageClassificationTransformer(Model, _options, _classNames, History, threads);
    }

    /// <summary>The network (in evaluation mode). Do not train it while the transformer is in use.</summary>
    public Module Model { get; }

    /// <summary>The architecture's registered name.</summary>
    public string Architecture => _options.Architecture;

    /// <summary>Class names, by class index.</summary>
    public IReadOnlyList<string> ClassNames => _classNames;

    /// <summary>The input image shape (channels, height, width).</summary>
    public (int Channels, int Height, int Width) InputShape => (_options.Channels, _options.Height, _options.Width);

    /// <summary>The cuts transfer learning made to the architecture, oldest first (empty: the architecture as registered).</summary>
    internal IReadOnlyList<NetworkCut> Cuts => _options.Cuts ?? [];

    /// <summary>The per-epoch metrics of the training run (null for a loaded model).</summary>
    public TrainingHistory? History { get; }

    /// <inheritdoc />
    public override void Save(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var state = Model.StateDict();
        foreach (var (name, tensor) in state)
            foreach (float v in tensor.Span)
                if (!float.IsFinite(v)) throw new InvalidOperationException($"The model's '{name}' holds {v}; a model with non-finite weights is never saved.");
        context.SetComponent(ComponentName, Version);
        context.SetOptions(new SavedOptions(_options, _classNames, [.. state.Keys]));
        int i = 0;
        foreach (var (_, tensor) in state) context.AddTensor($"w{i++}", tensor.Span, tensor.Shape.ToArray());
    }

    /// <summary>Loads a transformer saved by <see cref="Save"/> (registered with the component catalog).</summary>
    public static ITransformer Load(ModelLoadContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.CheckVersion(Version);
        var saved = context.GetOptions<SavedOptions>();
        var o = saved.Options ?? throw context.Error("its options are missing");
        if (o.Channels is < 1 or > 16 || o.Height is < 1 or > 2048 || o.Width is < 1 or > 2048)
            throw context.Error($"input shape {o.Channels}x{o.Height}x{o.Width} is outside 1-16 channels and 1-2048 pixels");
        if (saved.ClassNames is not { Length: >= 2 and <= 100_000 } names || names.Any(n => n is null))
            throw context.Error("its class names are missing or invalid");
        if (o.TopK < 0 || o.TopK > names.Length) throw context.Error($"top-k {o.TopK} is outside 0..{names.Length}");
        foreach (string? column in new[] { o.FeatureColumnName, o.ScoreColumnName, o.PredictedLabelColumnName, o.TopKLabelsColumnName, o.TopKScoresColumnName })
            if (string.IsNullOrEmpty(column)) throw context.Error("a column name is missing");
        if (!ImageClassificationArchitectures.Contains(o.Architecture))
            throw context.Error($"architecture '{o.Architecture}' is not registered (register it with ImageClassificationArchitectures.Register before loading)");
        foreach (var cut in o.Cuts ?? [])
            if (cut is null || string.IsNullOrEmpty(cut.Layer) || cut.SourceClasses is < 1 or > 100_000 || cut.HiddenUnits is < 0 or > 1 << 20 || !(cut.Dropout is >= 0 and < 1))
                throw context.Error("a transfer cut is missing or invalid");
        Module model;
        try
        {
            model = TransferNetwork.Create(o.Architecture, new ArchitectureInput(o.Channels, o.Height, o.Width, names.Length, 0), o.Cuts);
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or InvalidOperationException)
        {
            throw context.Error($"architecture '{o.Architecture}'{(o.Cuts is { Length: > 0 } ? " with its transfer cuts" : "")} cannot be built for the saved shape: {e.Message}");
        }
        var own = model.StateDict();
        if (saved.TensorNames is null || saved.TensorNames.Length != own.Count || !saved.TensorNames.SequenceEqual(own.Keys))
            throw context.Error($"its weights do not match architecture '{o.Architecture}'");
        int i = 0;
        foreach (var (name, tensor) in own)
        {
            float[] values = context.GetTensor<float>($"w{i++}", out int[] shape);
            if (!shape.AsSpan().SequenceEqual(tensor.Shape)) throw context.Error($"weight '{name}' has shape [{string.Join(", ", shape)}], not {tensor.ShapeText}");
            foreach (float v in values)
                if (!float.IsFinite(v)) throw context.Error($"weight '{name}' holds a non-finite value");
            values.CopyTo(tensor.Span);
        }
        return new ImageClassificationTransformer(model, o, names, null);
    }

    /// <inheritdoc />
    protected override ColumnMapperBase MakeMapper(DataViewSchema inputSchema)
    {
        if (_options.Image is not null)
        {
            var images = SchemaShapeChecks.RequireColumn(inputSchema, _options.FeatureColumnName, "an image column");
            if (images.Type is not ImageDataViewType)
                throw new SchemaMismatchException(_options.FeatureColumnName, "an image column", images.Type.ToString());
            return new Mapper(this, inputSchema, images);
        }
        int size = _options.Channels * _options.Height * _options.Width;
        var expected = new VectorDataViewType(NumberDataViewType.Single, size);
        var column = SchemaShapeChecks.RequireColumn(inputSchema, _options.FeatureColumnName, expected.ToString());
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType item, Size: var actual } || item != NumberDataViewType.Single || actual != size)
            throw new SchemaMismatchException(_options.FeatureColumnName, expected.ToString(), column.Type.ToString());
        return new Mapper(this, inputSchema, column);
    }

    /// <summary>The output columns for <paramref name="classNames"/> (shared with the estimator's schema shape).</summary>
    internal static List<DataViewSchema.DetachedColumn> OutputColumns(ScoringOptions o, IReadOnlyList<string> classNames)
    {
        int k = classNames.Count;
        var slotNames = new DataViewSchema.Annotations.Builder()
            .AddSlotNames(k, (ref VBuffer<ReadOnlyMemory<char>> v) => v = new VBuffer<ReadOnlyMemory<char>>([.. classNames.Select(n => n.AsMemory())]))
            .ToAnnotations();
        var columns = new List<DataViewSchema.DetachedColumn>
        {
            new(o.ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single, k), slotNames),
            new(o.PredictedLabelColumnName, new KeyDataViewType(typeof(uint), k), new DataViewSchema.Annotations.Builder().AddKeyValues(classNames).ToAnnotations()),
        };
        if (o.TopK > 0)
        {
            columns.Add(new(o.TopKLabelsColumnName, new VectorDataViewType(TextDataViewType.Instance, o.TopK)));
            columns.Add(new(o.TopKScoresColumnName, new VectorDataViewType(NumberDataViewType.Single, o.TopK)));
        }
        return columns;
    }

    /// <summary>How the network is built and the transformer reads and writes columns; saved with the model.</summary>
    internal sealed record ScoringOptions(
        string Architecture, int Channels, int Height, int Width, string FeatureColumnName, string ScoreColumnName, string PredictedLabelColumnName,
        int TopK, string TopKLabelsColumnName, string TopKScoresColumnName, ImageInput? Image = null, NetworkCut[]? Cuts = null);

    /// <summary>
    /// The preprocessing of raw image input, shared by training and scoring so both see the same floats: resize to the
    /// input size (unless already that size), then channels as needed, pixels / 255, minus the mean, over the standard
    /// deviation, per channel.
    /// </summary>
    internal sealed record ImageInput(ImageResizeMode Mode, float[] Mean, float[] Std)
    {
        /// <summary>A black pixel's normalised value per channel, as <see cref="Extract"/> computes it.</summary>
        public float[] Black => [.. Enumerable.Range(0, Mean.Length).Select(Options(Mean.Length).ValueOfZero)];

        private PixelExtractionOptions Options(int channels) => new() { Channels = channels, Mean = Mean, Std = Std };

        public void Extract(Image image, int channels, int height, int width, Span<float> destination)
        {
            var sized = image.Width == width && image.Height == height ? image : ImageResizingTransformer.Resize(image, width, height, Mode);
            PixelExtractor.Extract(sized, Options(channels), destination);
        }

        /// <summary>Per-channel mean and standard deviation on the [0, 1] scale of up to 2,000 images, resized as for training.</summary>
        public static (float[] Mean, float[] Std) Statistics(IDataView data, DataViewSchema.Column column, int channels, int height, int width)
        {
            var raw = new ImageInput(ImageResizeMode.IsoCrop, new float[channels], Enumerable.Repeat(1f, channels).ToArray());
            var sum = new double[channels];
            var squares = new double[channels];
            var plane = new float[channels * height * width];
            long count = 0;
            using var cursor = data.GetRowCursor([column]);
            var getter = cursor.GetGetter<Image>(column);
            Image? image = null;
            for (int n = 0; n < 2000 && cursor.MoveNext(); n++)
            {
                getter(ref image!);
                if (image is null) continue;
                raw.Extract(image, channels, height, width, plane);
                for (int ch = 0; ch < channels; ch++)
                    foreach (float v in plane.AsSpan(ch * height * width, height * width))
                    {
                        sum[ch] += v;
                        squares[ch] += (double)v * v;
                    }
                count += height * width;
            }
            if (count == 0) throw new InvalidOperationException($"Column '{column.Name}' holds no images.");
            var mean = sum.Select(v => (float)(v / count)).ToArray();
            var std = squares.Select((v, ch) => (float)Math.Max(Math.Sqrt(Math.Max(v / count - (double)mean[ch] * mean[ch], 0)), 1e-3)).ToArray();
            return (mean, std);
        }
    }

    private sealed record SavedOptions(ScoringOptions? Options, string[]? ClassNames, string[]? TensorNames);

    private sealed class Mapper(ImageClassificationTransformer owner, DataViewSchema schema, DataViewSchema.Column input)
        : BatchColumnMapperBase(schema, OutputColumns(owner._options, owner._classNames), ScoringBatch)
    {
        public override IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> activeOutput) =>
            Enumerable.Range(0, OutputColumns.Count).Any(activeOutput) ? [input] : [];

        public override ColumnBatchWorker CreateWorker(DataViewRow row, Func<int, bool> activeOutput) =>
            owner._options.Image is null ? new Worker(owner, row.GetGetter<VBuffer<float>>(input), null, BatchSize)
                : new Worker(owner, null, row.GetGetter<Image>(input), BatchSize);
    }

    /// <summary>Gathers up to a batch of feature vectors, runs the network once, and serves the rows' outputs.</summary>
    private sealed class Worker : ColumnBatchWorker
    {
        private readonly ImageClassificationTransformer _owner;
        private readonly ValueGetter<VBuffer<float>>? _features;
        private readonly ValueGetter<Image>? _images;
        private Image _image = null!;
        private readonly StepContext _context;
        private readonly float[] _inputs;
        private readonly float[] _scores;
        private readonly int[] _topK;
        private readonly int _size;
        private readonly int _classes;
        private readonly int _k;
        private VBuffer<float> _row;

        public Worker(ImageClassificationTransformer owner, ValueGetter<VBuffer<float>>? features, ValueGetter<Image>? images, int batchSize)
        {
            (_owner, _features, _images) = (owner, features, images);
            _context = new StepContext(new ComputeConfig { DegreeOfParallelism = owner.DegreeOfParallelism }) { RecordForBackward = false };
            var o = owner._options;
            _size = o.Channels * o.Height * o.Width;
            _classes = owner._classNames.Length;
            _k = o.TopK;
            _inputs = new float[batchSize * _size];
            _scores = new float[batchSize * _classes];
            _topK = new int[batchSize * Math.Max(_k, 1)];
        }

        public override void AddRow(int slot)
        {
            Span<float> destination = _inputs.AsSpan(slot * _size, _size);
            if (_images is not null)
            {
                _images(ref _image);
                var o = _owner._options;
                if (_image is null) destination.Fill(float.NaN); // no image: NaN scores, missing PredictedLabel
                else o.Image!.Extract(_image, o.Channels, o.Height, o.Width, destination);
                return;
            }
            _features!(ref _row);
            _row.CopyTo(destination);
        }

        public override void Compute(int count)
        {
            var o = _owner._options;
            _context.BeginStep();
            Tensor x = _context.Rent(count, o.Channels, o.Height, o.Width);
            _inputs.AsSpan(0, count * _size).CopyTo(x.Span);
            Tensor logits = _owner.Model.Forward(x, _context);
            if (logits.Length != count * _classes)
                throw new InvalidOperationException($"Architecture '{o.Architecture}' returned {logits.ShapeText} for {count} images; [{count}, {_classes}] was expected.");
            for (int i = 0; i < count; i++)
            {
                Span<float> scores = _scores.AsSpan(i * _classes, _classes);
                SupervisedTrainer.SoftmaxRow(logits.Span.Slice(i * _classes, _classes), scores);
                if (_k > 0) TopIndices(scores, _topK.AsSpan(i * _k, _k));
            }
        }

        public override Delegate GetGetter(int outputColumn, Func<int> slot)
        {
            switch (outputColumn)
            {
                case 0:
                    return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) => Copy(_scores.AsSpan(slot() * _classes, _classes), ref value));
                case 1:
                    return (ValueGetter<uint>)((ref uint value) =>
                    {
                        ReadOnlySpan<float> scores = _scores.AsSpan(slot() * _classes, _classes);
                        value = float.IsNaN(scores[0]) ? 0 : (uint)System.Numerics.Tensors.TensorPrimitives.IndexOfMax(scores) + 1;
                    });
                case 2:
                    return (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)((ref VBuffer<ReadOnlyMemory<char>> value) =>
                    {
                        ReadOnlySpan<int> top = _topK.AsSpan(slot() * _k, _k);
                        var editor = VBufferEditor.Create(ref value, _k);
                        for (int j = 0; j < _k; j++) editor.Values[j] = _owner._classNames[top[j]].AsMemory();
                        value = editor.Commit();
                    });
                default:
                    return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
                    {
                        int s = slot();
                        var editor = VBufferEditor.Create(ref value, _k);
                        for (int j = 0; j < _k; j++) editor.Values[j] = _scores[s * _classes + _topK[s * _k + j]];
                        value = editor.Commit();
                    });
            }
        }

        private static void Copy(ReadOnlySpan<float> source, ref VBuffer<float> value)
        {
            var editor = VBufferEditor.Create(ref value, source.Length);
            source.CopyTo(editor.Values);
            value = editor.Commit();
        }

        /// <summary>The indexes of the k largest scores, best first; ties go to the lower index (ML.NET's top-k rank rule).</summary>
        private static void TopIndices(ReadOnlySpan<float> scores, Span<int> top)
        {
            int filled = 0;
            for (int c = 0; c < scores.Length; c++)
            {
                float s = scores[c];
                int at = filled;
                while (at > 0 && (s > scores[top[at - 1]] || float.IsNaN(scores[top[at - 1]]) && !float.IsNaN(s))) at--;
                if (at >= top.Length) continue;
                int last = Math.Min(filled, top.Length - 1);
                for (int j = last; j > at; j--) top[j] = top[j - 1];
                top[at] = c;
                if (filled < top.Length) filled++;
            }
        }
    }
}
