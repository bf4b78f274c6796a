using System.Globalization;
using MlPipelines.Data;
using MlPipelines.DataPrep.Data;
using MlPipelines.DataPrep.Transforms;
using MlPipelines.Trainers.Training;

namespace MlPipelines.Trainers.ImageClassification;

/// <summary>
/// Trains a convolutional network from the engine on a column of CHW float images (e.g. from ExtractPixels) and a label
/// column, and returns an <see cref="ImageClassificationTransformer"/>. Labels may be a key (class names from its KeyValues),
/// text or numbers (classes sorted by value), or a float vector of soft targets (MixUp/CutMix; class names from SlotNames
/// or <see cref="Options.ClassNames"/>). Rows with a missing label are skipped and counted; a non-finite pixel is an error
/// naming the column and row. The training data is read once into memory, in batches.
/// </summary>
public sealed class ImageClassificationTrainer : IEstimator<ImageClassificationTransformer>
{
    private readonly MLContext _context;
    private readonly Options _options;

    /// <summary>Settings of the trainer; the defaults train LeNet-5 for 10 epochs with one-cycle SGD.</summary>
    public sealed record Options
    {
        /// <summary>The label column.</summary>
        public string LabelColumnName { get; init; } = "Label";

        /// <summary>The CHW float vector column.</summary>
        public string FeatureColumnName { get; init; } = "Features";

        /// <summary>The softmax scores column the transformer adds.</summary>
        public string ScoreColumnName { get; init; } = "Score";

        /// <summary>The predicted key column the transformer adds.</summary>
        public string PredictedLabelColumnName { get; init; } = "PredictedLabel";

        /// <summary>Also add the k best labels and their scores (0: off).</summary>
        public int TopK { get; init; }

        /// <summary>The top-k labels column (text vector).</summary>
        public string TopKLabelsColumnName { get; init; } = "TopKLabels";

        /// <summary>The top-k scores column (float vector).</summary>
        public string TopKScoresColumnName { get; init; } = "TopKScores";

        /// <summary>A registered architecture name (see <see cref="ImageClassificationArchitectures"/>).</summary>
        public string Architecture { get; init; } = "lenet5";

        /// <summary>
        /// The image shape when the feature column's type has no [C, H, W] dimensions (a flat vector), or the size raw images are
        /// resized to; null reads it from the column type ([C, H, W], or [H, W] for one channel; an image column's known size
        /// with the first image's channels, 1 or 3).
        /// </summary>
        public (int Channels, int Height, int Width)? ImageShape { get; init; }

        /// <summary>How raw images in the feature column are fitted to <see cref="ImageShape"/> (or their column's size).</summary>
        public ImageResizeMode ImageResizing { get; init; } = ImageResizeMode.IsoCrop;

        /// <summary>Class names for soft-target label vectors without slot names.</summary>
        public IReadOnlyList<string>? ClassNames { get; init; }

        /// <summary>The loop's settings: epochs, batch size, optimizer, schedule, augmentation, early stopping, checkpoints, seed...</summary>
        public TrainingOptions Training { get; init; } = new();

        /// <summary>Validation data with the same columns; when null, <see cref="ValidationFraction"/> is held out.</summary>
        public IDataView? ValidationSet { get; init; }

        /// <summary>The fraction of the input held out for validation, stratified by label (0: none).</summary>
        public double ValidationFraction { get; init; }

        /// <summary>Start from a trained model (transfer learning, fine-tuning, or continuing a saved model's training); null trains from scratch.</summary>
        public TransferOptions? Transfer { get; init; }

        /// <summary>Per-batch and per-epoch progress.</summary>
        public IProgress<TrainingProgress>? Progress { get; init; }

        /// <summary>Cancels training (a checkpoint is written first when a checkpoint directory is set).</summary>
        public CancellationToken CancellationToken { get; init; }
    }

    /// <summary>Creates the trainer (through <c>ctx.MulticlassClassification.Trainers.ImageClassification</c>).</summary>
    public ImageClassificationTrainer(MLContext context, Options options)
    {
        _context = context ?? throw new ArgumentNullException(nameof(context));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        options.Training.Validate();
        if (!ImageClassificationArchitectures.Contains(options.Architecture))
            throw new ArgumentException($"Unknown architecture '{options.Architecture}'; known: {string.Join(", ", ImageClassificationArchitectures.Names)}.", nameof(options));
        if (options.TopK < 0) throw new ArgumentOutOfRangeException(nameof(options), options.TopK, "TopK must be non-negative.");
        if (!(options.ValidationFraction >= 0 && options.ValidationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(options), options.ValidationFraction, "The validation fraction must lie in [0, 1).");
        if (options.ImageShape is { } s && (s.Channels < 1 || s.Height < 1 || s.Width < 1))
            throw new ArgumentOutOfRangeException(nameof(options), s, "Image dimensions must be positive.");
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var o = _options;
        const string Expected = "Vector<Single> of CHW pixels, or an image column";
        var features = SchemaShapeChecks.RequireColumn(inputSchema, o.FeatureColumnName, Expected);
        bool images = features.Kind == SchemaShape.Column.VectorKind.Scalar && features.ItemType is ImageDataViewType;
        if (images)
        {
            if (o.ImageShape is null && features.ItemType is ImageDataViewType { IsKnownSize: false })
                throw new SchemaMismatchException(o.FeatureColumnName, "an image column of known size (resize first, or set Options.ImageShape)", features.GetTypeString());
        }
        else
        {
            if (features.Kind == SchemaShape.Column.VectorKind.Scalar || features.ItemType != NumberDataViewType.Single || features.IsKey)
                throw new SchemaMismatchException(o.FeatureColumnName, Expected, features.GetTypeString());
            if (features.Kind == SchemaShape.Column.VectorKind.VariableVector && o.ImageShape is null)
                throw new SchemaMismatchException(o.FeatureColumnName, "Vector<Single> of known size (or set Options.ImageShape)", features.GetTypeString());
            if (!features.Dimensions.IsDefaultOrEmpty) ImageShapeOf(features.Dimensions, o.FeatureColumnName);
        }
        var label = SchemaShapeChecks.RequireColumn(inputSchema, o.LabelColumnName, "a key, text or number label, or Vector<Single> soft targets");
        int? classes = null;
        if (label.IsKey)
        {
            if (label.Kind != SchemaShape.Column.VectorKind.Scalar || label.ItemType is not KeyDataViewType key)
                throw new SchemaMismatchException(o.LabelColumnName, "a scalar key", label.GetTypeString());
            classes = checked((int)key.Count);
        }
        else if (label.Kind == SchemaShape.Column.VectorKind.Vector && label.ItemType == NumberDataViewType.Single)
            classes = label.Dimensions.IsDefaultOrEmpty ? null : label.Dimensions.Aggregate(1, (a, b) => a * b);
        else if (label.Kind != SchemaShape.Column.VectorKind.Scalar || label.ItemType is not (TextDataViewType or NumberDataViewType))
            throw new SchemaMismatchException(o.LabelColumnName, "a key, text or number label, or Vector<Single> soft targets", label.GetTypeString());
        if (classes is < 2) throw new SchemaMismatchException(o.LabelColumnName, "at least two classes", label.GetTypeString());

        var added = new List<SchemaShape.Column>
        {
            new(o.ScoreColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, null, classes is int k ? [k] : null),
            new(o.PredictedLabelColumnName, SchemaShape.Column.VectorKind.Scalar, new KeyDataViewType(typeof(uint), classes ?? 2), true),
        };
        if (o.TopK > 0)
        {
            if (classes is int c && o.TopK > c) throw new ArgumentOutOfRangeException(nameof(inputSchema), o.TopK, $"TopK {o.TopK} exceeds the {c} classes.");
            added.Add(new(o.TopKLabelsColumnName, SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false, null, [o.TopK]));
            added.Add(new(o.TopKScoresColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, null, [o.TopK]));
        }
        return inputSchema.With(added);
    }

    /// <summary>Reads the data, trains, and returns the scoring transformer (its <see cref="ImageClassificationTransformer.History"/> holds the epochs).</summary>
    public ImageClassificationTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var o = _options;
        var featureColumn = input.Schema[o.FeatureColumnName];
        int channels, height, width;
        ImageClassificationTransformer.ImageInput? imageInput = null;
        if (featureColumn.Type is ImageDataViewType imageType)
        {
            // Raw images: resize to the input size and normalise by the training images' own per-channel statistics,
            // the same way at scoring time (the transformer keeps the recipe).
            (channels, height, width) = o.ImageShape ?? (FirstImageChannels(input, featureColumn), imageType.Height, imageType.Width);
            var (mean, std) = ImageClassificationTransformer.ImageInput.Statistics(input, featureColumn, channels, height, width);
            imageInput = new ImageClassificationTransformer.ImageInput(o.ImageResizing, mean, std);
        }
        else
        {
            (channels, height, width) = o.ImageShape ?? ImageShapeOf(((VectorDataViewType)featureColumn.Type).Dimensions, o.FeatureColumnName);
            int size = ((VectorDataViewType)featureColumn.Type).Size;
            if (size != 0 && size != channels * height * width)
                throw new SchemaMismatchException(o.FeatureColumnName, $"Vector<Single, {channels * height * width}> ({channels}x{height}x{width})", featureColumn.Type.ToString());
        }

        IDataView train = input, validation = o.ValidationSet!;
        if (validation is null && o.ValidationFraction > 0)
        {
            var labelType = input.Schema[o.LabelColumnName].Type;
            var split = _context.Data.TrainTestSplit(input, o.ValidationFraction, seed: (int)(o.Training.Seed & int.MaxValue),
                stratificationColumnName: labelType is VectorDataViewType ? null : o.LabelColumnName);
            (train, validation) = (split.TrainSet, split.TestSet);
        }
        if (validation is not null) GetOutputSchema(SchemaShape.Create(validation.Schema));

        var reader = new LabelReader(input.Schema[o.LabelColumnName], o.ClassNames, imageInput);
        ImageBatchSet ReadEpoch(int epoch)
        {
            using var scope = EpochScope.Enter(epoch - 1);
            return reader.Read(_context, train, o.FeatureColumnName, o.LabelColumnName, channels, height, width, "training");
        }

        // Read epoch 1; if nothing upstream consulted the epoch, the data is the same every epoch and is read only once.
        ImageBatchSet trainSet;
        bool variesByEpoch;
        using (var first = EpochScope.Enter(0))
        {
            trainSet = reader.Read(_context, train, o.FeatureColumnName, o.LabelColumnName, channels, height, width, "training");
            variesByEpoch = first.WasConsulted;
        }
        ImageBatchSet? validationSet = null;
        if (validation is not null)
            using (EpochScope.EnterScoring())
                validationSet = reader.Read(_context, validation, o.FeatureColumnName, o.LabelColumnName, channels, height, width, "validation");
        if (variesByEpoch)
            _context.WriteLog(ChannelMessageKind.Info, nameof(ImageClassificationTrainer), "The training data is augmented upstream: it is read again every epoch.");
        (int Epoch, ImageBatchSet Data) last = (1, trainSet);
        ImageBatchSet TrainForEpoch(int epoch)
        {
            if (!variesByEpoch || epoch == last.Epoch) return last.Data;
            last = (epoch, ReadEpoch(epoch));
            return last.Data;
        }
        var classNames = reader.ClassNames;
        if (classNames.Count < 2) throw new InvalidOperationException($"Label column '{o.LabelColumnName}' holds {classNames.Count} class; classification needs at least two.");

        string architecture = o.Transfer?.From?.Architecture ?? o.Architecture;
        _context.WriteLog(ChannelMessageKind.Info, nameof(ImageClassificationTrainer),
            $"Training {architecture} on {trainSet.Count} images {channels}x{height}x{width}, {classNames.Count} classes"
            + (validationSet is null ? "" : $", validating on {validationSet.Count}") + ".");
        var architectureInput = new ArchitectureInput(channels, height, width, classNames.Count, o.Training.Seed);
        // Raw images are normalised here, so a padded crop's border can be black, as the images' own backgrounds usually are.
        var training = imageInput is not null && o.Training.CropPaddingFill is null
            ? o.Training with { CropPaddingFill = imageInput.Black }
            : o.Training;
        Engine.Nn.Module model;
        TrainingHistory history;
        IReadOnlyList<NetworkCut> cuts = [];
        if (o.Transfer is { } transfer)
            (model, cuts, history) = TrainFromPretrained(transfer, architecture, architectureInput, classNames, training, TrainForEpoch, validationSet);
        else
        {
            model = ImageClassificationArchitectures.Create(architecture, architectureInput);
            history = Train(new SupervisedTrainer(model, training), TrainForEpoch, validationSet, training, 0, []);
        }
        var scoring = new ImageClassificationTransformer.ScoringOptions(architecture, channels, height, width, o.FeatureColumnName, o.ScoreColumnName,
            o.PredictedLabelColumnName, o.TopK, o.TopKLabelsColumnName, o.TopKScoresColumnName, imageInput, cuts.Count == 0 ? null : [.. cuts]);
        if (o.TopK > classNames.Count) throw new ArgumentOutOfRangeException(nameof(input), o.TopK, $"TopK {o.TopK} exceeds the {classNames.Count} classes.");
        return new ImageClassificationTransformer(model, scoring, classNames, history, training.DegreeOfParallelism);
    }

    /// <summary>Runs one training phase and appends its epochs (renumbered after <paramref name="epochOffset"/>) to <paramref name="earlier"/>.</summary>
    private TrainingHistory Train(SupervisedTrainer trainer, Func<int, ImageBatchSet> train, ImageBatchSet? validation, TrainingOptions options, int epochOffset,
        IReadOnlyList<EpochMetrics> earlier)
    {
        var progress = _options.Progress is null || epochOffset == 0 ? _options.Progress
            : new OffsetProgress(_options.Progress, epochOffset, epochOffset + options.Epochs);
        var epochs = trainer.Fit(train, validation, progress, _options.CancellationToken);
        return new TrainingHistory([.. earlier, .. epochs.Select(e => e with { Epoch = e.Epoch + epochOffset })])
        {
            StoppedEarly = trainer.StoppedEarly, RestoredEpoch = trainer.RestoredEpoch == 0 ? 0 : trainer.RestoredEpoch + epochOffset,
        };
    }

    /// <summary>
    /// Builds the network to train from the pretrained one — the same architecture with the head replaced when the classes
    /// differ, or the pretrained network cut and given a new head — and trains it as the transfer mode says.
    /// </summary>
    private (Engine.Nn.Module Model, IReadOnlyList<NetworkCut> Cuts, TrainingHistory History) TrainFromPretrained(TransferOptions t, string architecture,
        ArchitectureInput input, IReadOnlyList<string> classNames, TrainingOptions training, Func<int, ImageBatchSet> train, ImageBatchSet? validation)
    {
        t.Validate();
        var (model, cuts) = BuildFromPretrained(t, architecture, input, classNames);
        return (model, cuts, TrainTransfer(t, model, training, train, validation));
    }

    private (Engine.Nn.Module Model, IReadOnlyList<NetworkCut> Cuts) BuildFromPretrained(TransferOptions t, string architecture, ArchitectureInput input,
        IReadOnlyList<string> classNames)
    {
        var from = t.From;
        if (from is not null && from.InputShape.Channels != input.Channels)
            throw new InvalidOperationException($"The pretrained model reads {from.InputShape.Channels}-channel images; the data has {input.Channels}.");
        IReadOnlyList<NetworkCut> sourceCuts = from?.Cuts ?? [];
        int sourceClasses = from?.ClassNames.Count ?? input.Classes;
        // Without a named cut or an MLP head the architecture stays as it is (only its last linear layer is new) — unless it is a
        // registered ONNX network whose graph still has its own classifier: that goes, and the new head reads the pooled features.
        Engine.Nn.Module? source = from is null ? TransferNetwork.Create(architecture, input, sourceCuts) : null;
        bool cut = t.CutAt is not null || t.Head.IsMlp || (sourceCuts.Count == 0 && TransferNetwork.EndsWithImportedClassifier(from?.Model ?? source!));
        string what = from is null ? $"{architecture}'s own pretrained weights" : $"the pretrained {from.Architecture}";
        if (!cut)
        {
            if (from is null)
            {
                _context.WriteLog(ChannelMessageKind.Info, nameof(ImageClassificationTrainer), $"Adapting {what}. Mode: {t.Mode}.");
                return (source!, sourceCuts);
            }
            var same = TransferNetwork.Create(architecture, input, sourceCuts);
            bool sameClasses = from.ClassNames.SequenceEqual(classNames);
            int copied = TransferLearning.CopyWeights(from.Model, same, keepHead: sameClasses);
            _context.WriteLog(ChannelMessageKind.Info, nameof(ImageClassificationTrainer),
                $"Transferred {copied} tensors from {what}" + (sameClasses ? " (head included: same classes)." : "; the head is new.") + $" Mode: {t.Mode}.");
            return (same, sourceCuts);
        }
        // The source network at the pretrained model's class count (its classifier is cut away), cut, with the new head.
        source ??= TransferNetwork.Create(architecture, input with { Classes = sourceClasses }, sourceCuts);
        string layer = TransferNetwork.Resolve(source, t.CutAt);
        var newCut = new NetworkCut(layer, sourceClasses, t.Head.HiddenUnits, t.Head.IsMlp ? t.Head.Dropout : 0);
        var model = TransferNetwork.Compose(source, newCut, input);
        int tensors = from is null ? 0 : TransferLearning.CopyWeights(from.Model, model, key => key.StartsWith("backbone.", StringComparison.Ordinal) ? key["backbone.".Length..] : null);
        _context.WriteLog(ChannelMessageKind.Info, nameof(ImageClassificationTrainer),
            $"Cut {what} after '{layer}'" + (from is null ? "" : $" ({tensors} tensors transferred)") + $", new {t.Head} head. Mode: {t.Mode}.");
        return (model, [.. sourceCuts, newCut]);
    }

    /// <summary>Trains <paramref name="model"/> (pretrained weights in place) as the transfer mode says.</summary>
    private TrainingHistory TrainTransfer(TransferOptions t, Engine.Nn.Module model, TrainingOptions o, Func<int, ImageBatchSet> train, ImageBatchSet? validation)
    {
        if (t.FreezeTo is int n) TransferLearning.FreezeTo(model, n);
        switch (t.Mode)
        {
            case TransferMode.ContinueTraining:
                return Train(new SupervisedTrainer(model, o), train, validation, o, 0, []);
            case TransferMode.FeatureExtraction:
            {
                TransferLearning.FreezeBackbone(model);
                if (TransferLearning.Split(model) is not { } split)
                {
                    // Not a plain chain: train the head through the frozen network (correct, just slower).
                    return Train(new SupervisedTrainer(model, o), train, validation, o, 0, []);
                }
                using var cache = CacheFeatures(t, split.Backbone, train(1), "training");
                using var validationCache = validation is null ? null : CacheFeatures(t with { FeatureCacheBytes = long.MaxValue }, split.Backbone, validation, "validation");
                var headOptions = o with { HorizontalFlip = false, CropPadding = 0 };
                return Train(new SupervisedTrainer(split.Head, headOptions), _ => cache.Read(), validationCache?.Read(), headOptions, 0, []);
            }
            default:
            {
                string? Phase(string? directory, string name) => directory is null ? null : Path.Combine(directory, name);
                string? Resume(string name) => o.ResumeFrom is { } r && File.Exists(Path.Combine(r, name, TrainingCheckpoint.FileName)) ? Path.Combine(r, name) : null;
                IReadOnlyList<EpochMetrics> frozen = [];
                if (t.FrozenEpochs > 0)
                {
                    TransferLearning.FreezeBackbone(model);
                    var first = o with
                    {
                        Epochs = t.FrozenEpochs, EarlyStopping = null, CheckpointDirectory = Phase(o.CheckpointDirectory, "frozen"), ResumeFrom = Resume("frozen"),
                    };
                    frozen = Train(new SupervisedTrainer(model, first), train, validation, first, 0, []);
                }
                model.Unfreeze();
                if (t.FreezeTo is int m) TransferLearning.FreezeTo(model, m);
                var groups = TransferLearning.Groups(model, t.LayerGroups, t.LayerLearningRateDecay);
                var second = o with { CheckpointDirectory = Phase(o.CheckpointDirectory, "unfrozen"), ResumeFrom = Resume("unfrozen") };
                return Train(new SupervisedTrainer(model, second, groups), train, validation, second, frozen.Count, frozen);
            }
        }
    }

    /// <summary>The frozen backbone's features of <paramref name="data"/>, computed once, logging progress about every tenth of the way.</summary>
    private BottleneckCache CacheFeatures(TransferOptions t, Engine.Nn.Layers.Sequential backbone, ImageBatchSet data, string role)
    {
        int reported = 0;
        void Progress(int done, int total)
        {
            if (done != total && done * 10L / total == reported) return;
            reported = (int)(done * 10L / total);
            _context.WriteLog(ChannelMessageKind.Info, nameof(ImageClassificationTrainer), $"Computing the backbone's features of the {role} images: {done}/{total}.");
        }
        var cache = BottleneckCache.Compute(backbone, data, _options.Training.DegreeOfParallelism, t.FeatureCacheBytes,
            t.FeatureCacheDirectory ?? Path.GetTempPath(), Progress, _options.CancellationToken);
        if (cache.SpillPath is { } spill)
            _context.WriteLog(ChannelMessageKind.Info, nameof(ImageClassificationTrainer),
                $"The {role} features ({(long)cache.Count * cache.Width * sizeof(float):N0} bytes) exceed the {t.FeatureCacheBytes:N0}-byte cache budget; they are spilled to '{spill}' and read back every epoch.");
        return cache;
    }

    /// <summary>Reports a later training phase's epochs after the earlier phases'.</summary>
    private sealed class OffsetProgress(IProgress<TrainingProgress> inner, int offset, int total) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => inner.Report(value with
        {
            Epoch = value.Epoch + offset, Epochs = total, Metrics = value.Metrics is { } m ? m with { Epoch = m.Epoch + offset } : null,
        });
    }

    /// <summary>1 for gray first images, 3 otherwise (alpha is dropped).</summary>
    private static int FirstImageChannels(IDataView data, DataViewSchema.Column column)
    {
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<DataPrep.Imaging.Image>(column);
        DataPrep.Imaging.Image image = null!;
        if (!cursor.MoveNext()) throw new InvalidOperationException("The training data has no rows.");
        getter(ref image);
        return image?.Channels >= 3 ? 3 : 1;
    }

    private static (int Channels, int Height, int Width) ImageShapeOf(IReadOnlyList<int> dims, string column) => dims.Count switch
    {
        3 when dims.All(d => d > 0) => (dims[0], dims[1], dims[2]),
        2 when dims.All(d => d > 0) => (1, dims[0], dims[1]),
        _ => throw new SchemaMismatchException(column, "Vector<Single> with [C, H, W] or [H, W] dimensions (or set Options.ImageShape)",
            $"Vector<Single> with dimensions [{string.Join(", ", dims)}]"),
    };

    /// <summary>Reads images and labels into one <see cref="ImageBatchSet"/>, mapping the label column's kind to class indexes.</summary>
    private sealed class LabelReader
    {
        private readonly DataViewSchema.Column _label;
        private readonly List<string> _names = [];
        private readonly Dictionary<string, int> _textIndex = new(StringComparer.Ordinal);
        private readonly bool _soft;
        private readonly bool _key;

        private readonly ImageClassificationTransformer.ImageInput? _images;

        public LabelReader(DataViewSchema.Column label, IReadOnlyList<string>? softNames, ImageClassificationTransformer.ImageInput? images)
        {
            _label = label;
            _images = images;
            _key = label.Type is KeyDataViewType;
            _soft = label.Type is VectorDataViewType;
            if (_key)
            {
                int k = checked((int)((KeyDataViewType)label.Type).Count);
                _names.AddRange(label.GetKeyValueNames() ?? [.. Enumerable.Range(0, k).Select(i => i.ToString(CultureInfo.InvariantCulture))]);
            }
            else if (_soft)
            {
                var slot = default(VBuffer<ReadOnlyMemory<char>>);
                if (label.HasSlotNames())
                {
                    label.GetSlotNames(ref slot);
                    _names.AddRange(slot.DenseValues().Select(m => m.ToString()));
                }
                else if (softNames is not null) _names.AddRange(softNames);
                else _names.AddRange(Enumerable.Range(0, ((VectorDataViewType)label.Type).Size).Select(i => i.ToString(CultureInfo.InvariantCulture)));
            }
        }

        public IReadOnlyList<string> ClassNames => _names;

        public ImageBatchSet Read(MLContext ctx, IDataView data, string featureName, string labelName, int c, int h, int w, string role)
        {
            var features = data.Schema[featureName];
            var label = data.Schema[labelName];
            if (!label.Type.Equals(_label.Type))
                throw new SchemaMismatchException(labelName, _label.Type.ToString()!, label.Type.ToString(), nameof(data));
            int size = c * h * w, width = _soft ? ((VectorDataViewType)label.Type).Size : 1;
            if (_soft && width != _names.Count)
                throw new SchemaMismatchException(labelName, $"Vector<Single, {_names.Count}> (one target per class name)", label.Type.ToString(), nameof(data));
            const int chunk = 512;
            var pixels = new List<float[]>();
            var targets = new List<float>();
            var labels = new List<int>();
            var rawText = new List<string>();
            long row = 0, skipped = 0;
            using var cursor = data.GetBatchCursor([features, label], chunk);
            var batchPixels = new float[chunk * size];
            var batchKeys = new int[chunk];
            var batchFloats = new float[chunk * width];
            var batchText = new ReadOnlyMemory<char>[chunk];
            var batchImages = _images is null ? [] : new DataPrep.Imaging.Image[chunk];
            while (cursor.MoveNext())
            {
                int n = cursor.Count;
                if (_images is null) cursor.CopyFloats(features, batchPixels);
                else
                {
                    cursor.CopyValues(features, batchImages.AsSpan(0, n));
                    for (int i = 0; i < n; i++)
                    {
                        var image = batchImages[i] ?? throw new InvalidDataException($"Column '{featureName}' of {role} row {row + i} has no image.");
                        _images.Extract(image, c, h, w, batchPixels.AsSpan(i * size, size));
                    }
                }
                CheckFinite(batchPixels.AsSpan(0, n * size), size, row, featureName, role);
                if (_key) cursor.CopyKeys(label, batchKeys);
                else if (label.Type is TextDataViewType) cursor.CopyValues(label, batchText.AsSpan(0, n));
                else cursor.CopyFloats(label, batchFloats);
                var kept = new float[n * size];
                int m = 0;
                for (int i = 0; i < n; i++)
                {
                    if (_key)
                    {
                        if (batchKeys[i] < 0) { skipped++; continue; }
                        labels.Add(batchKeys[i]);
                    }
                    else if (_soft) targets.AddRange(batchFloats.AsSpan(i * width, width));
                    else if (label.Type is TextDataViewType)
                    {
                        if (batchText[i].IsEmpty) { skipped++; continue; }
                        rawText.Add(batchText[i].ToString());
                    }
                    else
                    {
                        float v = batchFloats[i];
                        if (float.IsNaN(v)) { skipped++; continue; }
                        rawText.Add(v.ToString("R", CultureInfo.InvariantCulture));
                    }
                    batchPixels.AsSpan(i * size, size).CopyTo(kept.AsSpan(m++ * size, size));
                }
                pixels.Add(m == n ? kept : kept[..(m * size)]);
                row += n;
            }
            if (skipped > 0)
                ctx.WriteLog(ChannelMessageKind.Warning, nameof(ImageClassificationTrainer), $"Skipped {skipped} {role} rows whose label '{labelName}' is missing.");
            long count = pixels.Sum(p => (long)p.Length) / size;
            if (count == 0) throw new InvalidOperationException($"The {role} data has no rows with a label in column '{labelName}'.");
            if (count * size > Array.MaxLength) throw new InvalidOperationException($"The {role} data ({count} images of {size} floats) does not fit in one array; use fewer or smaller images.");
            var images = new float[count * size];
            long at = 0;
            foreach (var p in pixels)
            {
                p.CopyTo(images, at);
                at += p.Length;
            }
            if (_soft) return ImageBatchSet.WithSoftTargets(images, [.. targets], c, h, w, _names.Count);
            if (!_key) labels = MapRawLabels(rawText, role, labelName);
            return new ImageBatchSet(images, [.. labels], c, h, w, _names.Count);
        }

        /// <summary>Text and number labels: the first (training) read fixes the classes, sorted by value; later reads must use known ones.</summary>
        private List<int> MapRawLabels(List<string> raw, string role, string labelName)
        {
            if (_names.Count == 0)
            {
                bool numeric = _label.Type is NumberDataViewType;
                var distinct = raw.Distinct(StringComparer.Ordinal);
                var sorted = numeric ? distinct.OrderBy(s => double.Parse(s, CultureInfo.InvariantCulture)) : distinct.Order(StringComparer.Ordinal);
                foreach (string name in sorted)
                {
                    _textIndex[name] = _names.Count;
                    _names.Add(name);
                }
            }
            var result = new List<int>(raw.Count);
            foreach (string value in raw)
            {
                if (!_textIndex.TryGetValue(value, out int index))
                    throw new InvalidOperationException($"The {role} data's label '{labelName}' holds '{value}', a class the training data does not have.");
                result.Add(index);
            }
            return result;
        }

        private static void CheckFinite(ReadOnlySpan<float> pixels, int size, long firstRow, string column, string role)
        {
            for (int i = 0; i < pixels.Length; i++)
                if (!float.IsFinite(pixels[i]))
                    throw new InvalidDataException($"Column '{column}' of {role} row {firstRow + i / size} holds {pixels[i]}; images must be finite.");
        }
    }
}
