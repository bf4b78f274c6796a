using MlPipelines.Engine;
using MlPipelines.Engine.Nn;
using MlPipelines.Engine.Nn.Layers;

namespace MlPipelines.Trainers.ImageClassification;

/// <summary>How a pretrained network is adapted to new data.</summary>
public enum TransferMode
{
    /// <summary>
    /// Freeze the backbone, compute its features of every image once, and train only the new head on them (seconds, not
    /// minutes). Augmentation upstream is drawn once, since the features are cached.
    /// </summary>
    FeatureExtraction,

    /// <summary>
    /// fastai's recipe: train the new head with the backbone frozen for <see cref="TransferOptions.FrozenEpochs"/>, then
    /// unfreeze everything and train all layers for the run's epochs with discriminative learning rates (lower for earlier layers).
    /// The history numbers the epochs of both phases in one sequence; callbacks see each phase's epochs from 1, and checkpoints
    /// go to the "frozen" and "unfrozen" sub-folders of the checkpoint directory.
    /// </summary>
    FineTune,

    /// <summary>Continue training every layer from the pretrained weights (e.g. a saved model on new data).</summary>
    ContinueTraining,
}

/// <summary>
/// Start training from a trained model: its architecture and weights; the head is kept only when the classes are the same.
/// Without <see cref="From"/>, the architecture's own weights are the pretrained ones (e.g. one registered with
/// <see cref="ImageClassificationArchitectures.RegisterOnnx"/>, whose body is an imported ONNX network).
/// </summary>
public sealed record TransferOptions
{
    /// <summary>The pretrained model (e.g. the last step of a loaded model file), or null. Its architecture is used.</summary>
    public ImageClassificationTransformer? From { get; init; }

    /// <summary>How to adapt it.</summary>
    public TransferMode Mode { get; init; } = TransferMode.FineTune;

    /// <summary>Head-only epochs before unfreezing (fine-tuning).</summary>
    public int FrozenEpochs { get; init; } = 1;

    /// <summary>Parameter groups of the unfrozen phase, the head being one of them.</summary>
    public int LayerGroups { get; init; } = 3;

    /// <summary>Each earlier group trains at this fraction of the next one's learning rate.</summary>
    public double LayerLearningRateDecay { get; init; } = 0.1;

    /// <summary>Train only the layers from the n-th parameterised layer on (fastai's freeze_to; null: the mode decides).</summary>
    public int? FreezeTo { get; init; }

    /// <summary>
    /// The layer whose output the new head reads (Keras-style: everything after it is dropped): a module's dotted path
    /// ("layers.1", "features.3"; a sequential means its last module), or for an imported ONNX network a node name or a value
    /// name of its graph. Null cuts before the classifier. An unknown name fails, listing the valid ones.
    /// </summary>
    public string? CutAt { get; init; }

    /// <summary>The new head: <see cref="TransferHead.Linear"/> (the default) or <see cref="TransferHead.Mlp"/>.</summary>
    public TransferHead Head { get; init; } = TransferHead.Linear;

    /// <summary>
    /// Feature extraction: how many bytes of cached backbone features stay in memory (default 1 GiB); beyond that they are
    /// written to a temporary file in <see cref="FeatureCacheDirectory"/> and read back every epoch, and the file is deleted when
    /// training ends, also on an exception or cancellation. The results are the same either way, bit for bit.
    /// </summary>
    public long FeatureCacheBytes { get; init; } = 1L << 30;

    /// <summary>Where feature caches over <see cref="FeatureCacheBytes"/> are spilled (null: the system's temporary folder).</summary>
    public string? FeatureCacheDirectory { get; init; }

    internal void Validate()
    {
        if (FrozenEpochs < 0) throw new ArgumentOutOfRangeException(nameof(FrozenEpochs), FrozenEpochs, "Frozen epochs must be non-negative.");
        if (LayerGroups < 1) throw new ArgumentOutOfRangeException(nameof(LayerGroups), LayerGroups, "There must be at least one layer group.");
        if (!(LayerLearningRateDecay > 0 && LayerLearningRateDecay <= 1))
            throw new ArgumentOutOfRangeException(nameof(LayerLearningRateDecay), LayerLearningRateDecay, "The layer learning-rate decay must lie in (0, 1].");
        if (FreezeTo is < 0) throw new ArgumentOutOfRangeException(nameof(FreezeTo), FreezeTo, "FreezeTo must be non-negative.");
        if (CutAt is "") throw new ArgumentException("CutAt must name a layer, or be null to cut before the classifier.", nameof(CutAt));
        ArgumentNullException.ThrowIfNull(Head, nameof(Head));
        Head.Validate();
        if (FeatureCacheBytes < 0) throw new ArgumentOutOfRangeException(nameof(FeatureCacheBytes), FeatureCacheBytes, "The feature cache budget must be non-negative.");
    }
}

/// <summary>Weight transfer, head finding, freezing and layer groups for <see cref="TransferOptions"/>.</summary>
internal static class TransferLearning
{
    /// <summary>
    /// The parameterised layers (convolutions, linears, normalisations ...) in registration order — for the built-in
    /// architectures, the order data flows through them. The last <see cref="HeadLayerCount"/> of them are the head.
    /// </summary>
    public static List<(string Name, Module Module)> Layers(Module model) =>
        [.. model.NamedModules().Where(m => m.Value.NamedParameters().Any(p => !p.Name.Contains('.', StringComparison.Ordinal)))];

    /// <summary>A layer's own parameters (not its children's).</summary>
    public static IEnumerable<Parameter> Own(Module layer) =>
        layer.NamedParameters().Where(p => !p.Name.Contains('.', StringComparison.Ordinal)).Select(p => p.Value);

    /// <summary>The head: the last linear (or 1x1 convolution) layer of the network.</summary>
    public static (string Name, Module Module) Head(Module model) =>
        Layers(model).LastOrDefault(l => l.Module is Linear or Conv2d) is { Module: not null } head
            ? head : throw new InvalidOperationException("The network has no linear or convolution layer to use as its head.");

    /// <summary>
    /// Copies the pretrained weights and statistics into <paramref name="target"/>: every backbone entry must match by name and
    /// shape (else the backbone does not fit the new input); the head's entries are copied only when <paramref name="keepHead"/>.
    /// Returns how many tensors were copied.
    /// </summary>
    public static int CopyWeights(Module source, Module target, bool keepHead)
    {
        string head = Head(target).Name;
        return CopyWeights(source, target, key => !keepHead && key.StartsWith(head + ".", StringComparison.Ordinal) ? null : key);
    }

    /// <summary>
    /// Copies into every <paramref name="target"/> entry whose key <paramref name="sourceKey"/> maps to a source key (null: the
    /// entry is new and keeps its initial values) the source's tensor, which must exist and have the same shape.
    /// </summary>
    public static int CopyWeights(Module source, Module target, Func<string, string?> sourceKey)
    {
        var from = source.StateDict();
        int copied = 0;
        foreach (var (key, tensor) in target.StateDict())
        {
            if (sourceKey(key) is not { } name) continue;
            if (!from.TryGetValue(name, out Tensor? value))
                throw new InvalidOperationException($"The pretrained model has no '{name}'; it is a different architecture.");
            if (!value.SameShape(tensor))
                throw new InvalidOperationException(
                    $"The pretrained '{name}' is {value.ShapeText} but the new network needs {tensor.ShapeText}; the input size or channels differ from the pretrained model's.");
            value.Span.CopyTo(tensor.Span);
            copied++;
        }
        return copied;
    }

    /// <summary>How many of the last <see cref="Layers"/> form the head: all of a composed network's new head, else the last one.</summary>
    public static int HeadLayerCount(Module model) =>
        TransferNetwork.IsComposed(model)
            ? Layers(model).Count(l => l.Name == TransferNetwork.HeadPath || l.Name.StartsWith(TransferNetwork.HeadPath + ".", StringComparison.Ordinal))
            : 1;

    /// <summary>Freezes everything but the head.</summary>
    public static void FreezeBackbone(Module model) => FreezeTo(model, Layers(model).Count - HeadLayerCount(model));

    /// <summary>Freezes every parameterised layer before the <paramref name="firstTrainable"/>-th one (the head is the last).</summary>
    public static void FreezeTo(Module model, int firstTrainable)
    {
        var layers = Layers(model);
        model.Unfreeze();
        for (int i = 0; i < Math.Min(firstTrainable, layers.Count); i++)
            foreach (var p in Own(layers[i].Module)) p.RequiresGrad = false;
    }

    /// <summary>
    /// Discriminative learning rates: the head's layers alone first (factor 1), then the rest of the layers split into
    /// <paramref name="groups"/> - 1 contiguous groups of about equal parameter counts, the later ones at higher rates.
    /// </summary>
    public static List<(IReadOnlyList<Parameter> Parameters, double LearningRateFactor)> Groups(Module model, int groups, double decay)
    {
        var layers = Layers(model);
        int headLayers = HeadLayerCount(model);
        var body = layers[..^headLayers];
        var result = new List<(IReadOnlyList<Parameter>, double)> { ([.. layers[^headLayers..].SelectMany(l => Own(l.Module))], 1.0) };
        int bodyGroups = Math.Min(groups - 1, body.Count);
        if (bodyGroups <= 0)
        {
            if (body.Count > 0) result.Add(([.. body.SelectMany(l => Own(l.Module))], decay));
            return result;
        }
        long total = body.Sum(l => Own(l.Module).Sum(p => (long)p.Value.Length)), seen = 0;
        var chunks = Enumerable.Range(0, bodyGroups).Select(_ => new List<Parameter>()).ToArray();
        foreach (var (_, module) in body)
        {
            int chunk = (int)Math.Min(bodyGroups - 1, seen * bodyGroups / Math.Max(total, 1));
            var own = Own(module).ToList();
            chunks[chunk].AddRange(own);
            seen += own.Sum(p => (long)p.Value.Length);
        }
        for (int g = bodyGroups - 1; g >= 0; g--)
            if (chunks[g].Count > 0) result.Add((chunks[g], Math.Pow(decay, bodyGroups - g)));
        return result;
    }

    /// <summary>
    /// Splits a chain of (nested) sequentials into the modules before the head and the head with what follows it, so the
    /// backbone's features can be computed once; null when the network is not such a chain.
    /// </summary>
    public static (Sequential Backbone, Sequential Head)? Split(Module model)
    {
        if (TransferNetwork.IsComposed(model))
        {
            var parts = ((Sequential)model).Children;
            return (new Sequential([.. parts.Take(parts.Count - 1).Select(c => c.Value)]), new Sequential(new Flatten(), parts[^1].Value));
        }
        var chain = new List<Module>();
        void Flatten(Module m)
        {
            if (m is Sequential s) foreach (var (_, child) in s.Children) Flatten(child);
            else chain.Add(m);
        }
        Flatten(model);
        var head = Head(model).Module;
        int at = chain.FindIndex(m => ReferenceEquals(m, head));
        if (at < 0) return null;
        // Everything after the head must be parameter-free, and the head must be the only parameterised module from there on.
        if (chain.Skip(at + 1).Any(m => m.NamedParameters().Any())) return null;
        return (new Sequential([.. chain.Take(at)]), new Sequential([new Flatten(), .. chain.Skip(at)]));
    }
}
