using MlPipelines.Data;
using MlPipelines.DataPrep.Datasets;

namespace MlPipelines.Cli;

/// <summary>Loads an IDX image/label pair (the bundled sample or MNIST-style files) as a data view of normalised CHW images.</summary>
internal static class SampleData
{
    /// <summary>Fashion-MNIST's pixel mean and standard deviation on the [0, 1] scale.</summary>
    private const float Mean = 0.2860f, Std = 0.3530f;

    private static readonly string[] FashionClassNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The folder holding the bundled sample, searched upwards from the tool and the working directory.</summary>
    public static string? FindBundledFolder()
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "data");
                if (File.Exists(Path.Combine(candidate, "fashion-sample-train-images-idx3-ubyte.gz"))) return candidate;
            }
        return null;
    }

    /// <summary>
    /// Reads PREFIX-images-idx3-ubyte(.gz) and PREFIX-labels-idx1-ubyte(.gz) from <paramref name="folder"/> into a view with
    /// "Features" (Vector&lt;Single&gt; [1, H, W], normalised) and "Label" (key; Fashion-MNIST's class names for 10 classes
    /// when the prefix starts with "fashion", else the digits).
    /// </summary>
    public static IDataView Load(string folder, string prefix, int classCount = 0)
    {
        string images = Find(folder, prefix + "-images-idx3-ubyte");
        string labels = Find(folder, prefix + "-labels-idx1-ubyte");
        var x = IdxFile.Read(images);
        var y = IdxFile.Read(labels);
        if (x.Dimensions.Length != 3) throw new InvalidDataException($"{images}: expected [N, H, W] images, got {x.Dimensions.Length} dimensions.");
        if (y.Count != x.Count) throw new InvalidDataException($"{labels}: {y.Count} labels for {x.Count} images.");
        int classes = Math.Max(classCount, y.Data.Max() + 1);
        if (classes < 2) throw new UserException($"{labels}: all images have label 0; classification needs at least two classes.");
        var pixels = new float[x.Data.Length];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (x.Data[i] / 255f - Mean) / Std;
        string[] names = classes == 10 && prefix.StartsWith("fashion", StringComparison.Ordinal)
            ? FashionClassNames
            : [.. Enumerable.Range(0, classes).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        return new InMemoryDataViewBuilder()
            .AddVectorColumn("Features", new VectorDataViewType(NumberDataViewType.Single, 1, x.Dimensions[1], x.Dimensions[2]), pixels)
            .AddKeyColumn("Label", [.. y.Data.Select(b => (uint)b + 1)], names)
            .ToDataView();
    }

    private static string Find(string folder, string name)
    {
        foreach (string candidate in new[] { name + ".gz", name })
        {
            string path = Path.Combine(folder, candidate);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException($"No {name}[.gz] in {folder}.");
    }
}
