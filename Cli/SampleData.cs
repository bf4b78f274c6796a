using MlPipelines.DataPrep.Datasets;
using MlPipelines.Trainers.Training;

namespace MlPipelines.Cli;

/// <summary>Loads an IDX image/label pair (the bundled sample or MNIST-style files) as normalised training tensors.</summary>
internal static class SampleData
{
    /// <summary>Fashion-MNIST's pixel mean and standard deviation on the [0, 1] scale.</summary>
    private const float Mean = 0.2860f, Std = 0.3530f;

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

    /// <summary>Reads PREFIX-images-idx3-ubyte(.gz) and PREFIX-labels-idx1-ubyte(.gz) from <paramref name="folder"/>.</summary>
    public static ImageBatchSet Load(string folder, string prefix)
    {
        string images = Find(folder, prefix + "-images-idx3-ubyte");
        string labels = Find(folder, prefix + "-labels-idx1-ubyte");
        var x = IdxFile.Read(images);
        var y = IdxFile.Read(labels);
        if (x.Dimensions.Length != 3) throw new InvalidDataException($"{images}: expected [N, H, W] images, got {x.Dimensions.Length} dimensions.");
        if (y.Count != x.Count) throw new InvalidDataException($"{labels}: {y.Count} labels for {x.Count} images.");
        int classes = y.Data.Max() + 1;
        var pixels = new float[x.Data.Length];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (x.Data[i] / 255f - Mean) / Std;
        return new ImageBatchSet(pixels, y.Data.Select(b => (int)b).ToArray(), 1, x.Dimensions[1], x.Dimensions[2], Math.Max(classes, 2));
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
