using MlPipelines.Engine.Compute;
using MlPipelines.Engine.Nn;
using MlPipelines.Engine.Nn.Layers;
using MlPipelines.Trainers.Onnx;

namespace MlPipelines.Trainers.ImageClassification;

/// <summary>
/// Cutting a network at a named layer (Keras-style: the features are that module's output and everything after it goes) or
/// before its classifier, and putting a new head on the features. The new network is a sequence "backbone" (the kept part,
/// with its original child names, so its state-dict keys are "backbone." + the source's), "pool" (global average pooling,
/// only when the features are spatial), "flatten" and "head".
/// </summary>
internal static class TransferNetwork
{
    private const string Backbone = "backbone";
    private const string HeadName = "head";

    /// <summary>Builds a registered architecture for <paramref name="input"/>, then applies the saved cuts in order.</summary>
    public static Module Create(string architecture, ArchitectureInput input, IReadOnlyList<NetworkCut>? cuts)
    {
        if (cuts is null || cuts.Count == 0) return ImageClassificationArchitectures.Create(architecture, input);
        var cut = cuts[^1];
        var source = Create(architecture, input with { Classes = cut.SourceClasses }, [.. cuts.Take(cuts.Count - 1)]);
        return Compose(source, cut, input);
    }

    /// <summary>Whether <paramref name="model"/> is a network this class composed (a "backbone" first and a "head" last).</summary>
    public static bool IsComposed(Module model) =>
        model is Sequential { Children: [(Backbone, _), .., (HeadName, _)] };

    /// <summary>The dotted path of the new head's modules in a composed network ("head").</summary>
    public static string HeadPath => HeadName;

    /// <summary>
    /// Whether "before the classifier" has to go inside an imported ONNX graph: the network's last parameterised module is a
    /// linear head placed after the graph (as <see cref="ImageClassificationArchitectures.RegisterOnnx"/> builds it, with only
    /// parameter-free modules between), and the graph ends in a classifier of its own.
    /// </summary>
    public static bool EndsWithImportedClassifier(Module model) => ImportedClassifier(Chain(model)) is not null;

    /// <summary>
    /// The canonical name of a cut: <paramref name="layer"/> itself when it names a module of the chain, "GRAPH:VALUE" for a
    /// node or value of an imported graph; null picks the point before the classifier. An unknown name lists the valid ones.
    /// </summary>
    public static string Resolve(Module source, string? layer)
    {
        var chain = Chain(source);
        if (layer is null) return BeforeClassifier(chain);
        var points = CutPoints(source, chain);
        if (points.Any(p => p.Name == layer && p.Value is null)) return layer;
        var graphs = points.Where(p => p.Value is not null).ToList();
        var match = graphs.FirstOrDefault(p => Qualified(p.Path, p.Value!) == layer || p.Name == layer);
        if (match.Value is not null) return Qualified(match.Path, match.Value);
        var names = points.Select(p => p.Name).Distinct(StringComparer.Ordinal).ToList();
        const int shown = 400;
        throw new ArgumentException(
            $"The network has no layer '{layer}' to cut at. Valid names ({names.Count}): {string.Join(", ", names.Take(shown))}"
            + (names.Count > shown ? $", ... ({names.Count - shown} more)." : "."), nameof(layer));
    }

    /// <summary>Keeps <paramref name="source"/> up to the cut's layer and adds pooling, flattening and the new head for <paramref name="input"/>'s classes.</summary>
    public static Sequential Compose(Module source, NetworkCut cut, ArchitectureInput input)
    {
        var (path, value) = Target(source, cut.Layer);
        var backbone = Truncate(source, "", path, value);
        int[] shape = backbone.OutputShape([1, input.Channels, input.Height, input.Width]);
        var network = new Sequential().Add(Backbone, backbone);
        if (shape.Length == 4 && shape[2] * shape[3] > 1)
        {
            network.Add("pool", new GlobalAvgPool2d());
            shape = [shape[0], shape[1], 1, 1];
        }
        network.Add("flatten", new Flatten());
        int features = shape.Skip(1).Aggregate(1, (a, b) => checked(a * b));
        var init = new SeededRandom(input.Seed);
        Module head = cut.HiddenUnits > 0
            ? new Sequential(new Linear(features, cut.HiddenUnits, init: init), new Relu(), new Dropout(cut.Dropout), new Linear(cut.HiddenUnits, input.Classes, init: init))
            : new Linear(features, input.Classes, init: init);
        return network.Add(HeadName, head);
    }

    private static string Qualified(string graphPath, string value) => graphPath + ":" + value;

    /// <summary>The modules data flows through, nested sequentials opened, each with its dotted path.</summary>
    private static List<(string Path, Module Module)> Chain(Module model)
    {
        var chain = new List<(string, Module)>();
        void Walk(Module m, string path)
        {
            if (m is Sequential s)
                foreach (var (name, child) in s.Children) Walk(child, Join(path, name));
            else chain.Add((path, m));
        }
        Walk(model, "");
        return chain;
    }

    /// <summary>Every valid cut name in flow order: module paths (sequentials after their last module), then graph nodes and values.</summary>
    private static List<(string Name, string Path, string? Value)> CutPoints(Module model, List<(string Path, Module Module)> chain)
    {
        var points = new List<(string, string, string?)>();
        void Walk(Module m, string path)
        {
            if (m is Sequential s)
                foreach (var (name, child) in s.Children) Walk(child, Join(path, name));
            else if (m is OnnxGraphModule g)
                foreach (var (name, value) in g.CutPoints()) points.Add((name, path, value));
            if (path.Length > 0) points.Add((path, path, null));
        }
        Walk(model, "");
        return points;
    }

    /// <summary>The cut name of the point just before the network's classifier (inside an imported graph when it ends in one).</summary>
    private static string BeforeClassifier(List<(string Path, Module Module)> chain)
    {
        if (ImportedClassifier(chain) is { } imported) return Qualified(imported.Path, imported.Value);
        int last = chain.FindLastIndex(l => l.Module.Parameters().Any());
        if (last < 0 || chain[last].Module is not (Linear or Conv2d))
            throw new InvalidOperationException(
                "The network does not end in a linear (or convolution) classifier inside a chain of modules, so there is no point before the classifier to cut at; name a layer to cut at.");
        if (last == 0) throw new InvalidOperationException($"The classifier '{chain[last].Path}' is the network's first layer; there is nothing before it to keep.");
        return chain[last - 1].Path;
    }

    /// <summary>The imported graph whose own classifier "before the classifier" removes, and the value its classifier reads.</summary>
    private static (string Path, string Value)? ImportedClassifier(List<(string Path, Module Module)> chain)
    {
        int last = chain.FindLastIndex(l => l.Module.Parameters().Any());
        if (last < 1 || chain[last].Module is not Linear) return null;
        int graph = chain.FindLastIndex(last - 1, l => l.Module.Parameters().Any());
        if (graph < 0 || chain[graph].Module is not OnnxGraphModule g || g.InputNames.Count != 1) return null;
        return g.ClassifierInput() is { } value ? (chain[graph].Path, value) : null;
    }

    /// <summary>The module path a canonical cut name points at, and the graph value when it points inside an imported graph.</summary>
    private static (string Path, string? Value) Target(Module source, string layer)
    {
        var chain = Chain(source);
        var points = CutPoints(source, chain);
        if (points.Any(p => p.Name == layer && p.Value is null)) return (layer, null);
        int colon = layer.IndexOf(':', StringComparison.Ordinal);
        while (colon >= 0)
        {
            string path = layer[..colon], value = layer[(colon + 1)..];
            if (points.Any(p => p.Path == path && p.Value == value)) return (path, value);
            colon = layer.IndexOf(':', colon + 1);
        }
        throw new InvalidDataException($"The saved cut '{layer}' names no layer of the network; it was saved from a different network.");
    }

    /// <summary>A copy of the sequential structure that ends at <paramref name="path"/> (the same module instances up to it).</summary>
    private static Module Truncate(Module m, string at, string path, string? value)
    {
        if (at == path)
            return value is null ? m : ((OnnxGraphModule)m).Truncate(value);
        var s = (Sequential)m;
        var kept = new Sequential();
        foreach (var (name, child) in s.Children)
        {
            string childPath = Join(at, name);
            if (path == childPath || path.StartsWith(childPath + ".", StringComparison.Ordinal))
                return kept.Add(name, Truncate(child, childPath, path, value));
            kept.Add(name, child);
        }
        throw new InvalidOperationException($"No module at '{path}'.");
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;
}
