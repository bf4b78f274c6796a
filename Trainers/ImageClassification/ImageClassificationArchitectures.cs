using MlPipelines.Engine.Models;
using MlPipelines.Engine.Models.Zoo;
using MlPipelines.Engine.Nn;
using MlPipelines.Engine.Nn.Layers;

namespace MlPipelines.Trainers.ImageClassification;

/// <summary>What an architecture factory is told about the data: input shape (CHW), class count and the weight seed.</summary>
public sealed record ArchitectureInput(int Channels, int Height, int Width, int Classes, ulong Seed);

/// <summary>
/// The named network architectures the image-classification trainer builds, and the registry a saved model is rebuilt from:
/// a model file stores the architecture's name and its weights, never code. Built in: "lenet5", "small-vgg", "resnet20",
/// "resnet56" (CIFAR layout) and every network of <see cref="ModelZoo"/> (alexnet, vgg*, resnet18-152, resnext, mobilenet,
/// efficientnet, googlenet, xception, mixer, vit; ImageNet layouts, square inputs). Register your own with
/// <see cref="Register"/> before training or loading.
/// </summary>
public static class ImageClassificationArchitectures
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, Func<ArchitectureInput, Module>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["lenet5"] = i => ReferenceModels.LeNet5(i.Channels, i.Classes, Square(i, "lenet5", 12), i.Seed),
        ["small-vgg"] = i => ReferenceModels.SmallVgg(i.Channels, i.Classes, Square(i, "small-vgg", 4), i.Seed),
        ["resnet20"] = i => ReferenceModels.ResNetCifar(20, i.Channels, i.Classes, i.Seed),
        ["resnet56"] = i => ReferenceModels.ResNetCifar(56, i.Channels, i.Classes, i.Seed),
    };

    static ImageClassificationArchitectures()
    {
        // The model zoo's classic networks (AlexNet ... ViT), exactly as published; square inputs of at least their minimum size.
        foreach (string name in ModelZoo.Names)
            Factories.TryAdd(name, i =>
            {
                if (i.Height != i.Width) throw new ArgumentException($"{name} needs square inputs, not {i.Height}x{i.Width}; resize the images.");
                try
                {
                    return ModelZoo.Create(name, i.Channels, i.Classes, i.Height, i.Seed);
                }
                catch (ArgumentOutOfRangeException e)
                {
                    throw new ArgumentException(e.Message.Split(" (Parameter")[0], e);
                }
            });
    }

    /// <summary>The registered names, sorted.</summary>
    public static IReadOnlyList<string> Names
    {
        get
        {
            lock (Gate) return [.. Factories.Keys.Order(StringComparer.OrdinalIgnoreCase)];
        }
    }

    /// <summary>Registers <paramref name="factory"/> under <paramref name="name"/> (letters, digits, '-', '_', '.'); a taken name is an error.</summary>
    public static void Register(string name, Func<ArchitectureInput, Module> factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(factory);
        if (name.Length > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new ArgumentException($"Architecture name '{name}' must be 1-64 letters, digits, '-', '_' or '.'.", nameof(name));
        lock (Gate)
            if (!Factories.TryAdd(name, factory) && Factories[name] != factory)
                throw new ArgumentException($"An architecture named '{name}' is already registered.", nameof(name));
    }

    /// <summary>
    /// Registers an imported ONNX network as a pretrained backbone: the architecture is the network (weights from the file,
    /// everything it computes, its own classifier included) followed by a new linear head for the data's classes. Train it
    /// with <see cref="TransferOptions"/> (no <c>From</c>) to freeze the imported body or fine-tune it: then the graph's own
    /// classifier is cut away (or the graph is cut at <see cref="TransferOptions.CutAt"/>, a node or value name) and the new
    /// head reads the features. Register the same name and file again before loading a model saved from it: the file gives
    /// the structure, the model file the weights and the cut.
    /// </summary>
    public static void RegisterOnnx(string name, string onnxPath, Onnx.OnnxImportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(onnxPath);
        if (!File.Exists(onnxPath)) throw new FileNotFoundException($"No ONNX model at '{onnxPath}'.", onnxPath);
        string path = Path.GetFullPath(onnxPath);
        Register(name, input =>
        {
            var body = Onnx.OnnxImporter.Load(path, options);
            int features = body.OutputShape([1, input.Channels, input.Height, input.Width]).Skip(1).Aggregate(1, (a, b) => a * b);
            return new Sequential().Add("body", body).Add("flatten", new Flatten())
                .Add("head", new Linear(features, input.Classes, init: new Engine.Compute.SeededRandom(input.Seed)));
        });
    }

    /// <summary>Whether <paramref name="name"/> is registered.</summary>
    public static bool Contains(string name)
    {
        lock (Gate) return name is not null && Factories.ContainsKey(name);
    }

    /// <summary>Builds the network; an unknown name is an <see cref="ArgumentException"/> listing the known ones.</summary>
    public static Module Create(string name, ArchitectureInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Func<ArchitectureInput, Module>? factory;
        lock (Gate) Factories.TryGetValue(name ?? "", out factory);
        if (factory is null)
            throw new ArgumentException($"Unknown architecture '{name}'; known: {string.Join(", ", Names)}.", nameof(name));
        return factory(input);
    }

    private static int Square(ArchitectureInput i, string name, int minimum)
    {
        if (i.Height != i.Width) throw new ArgumentException($"{name} needs square inputs, not {i.Height}x{i.Width}; resize the images.");
        if (i.Height < minimum) throw new ArgumentException($"{name} needs inputs of at least {minimum}x{minimum}, not {i.Height}x{i.Width}.");
        return i.Height;
    }
}
