using MlPipelines.Data;
using MlPipelines.DataPrep.Datasets;
using MlPipelines.Testing;
using MlPipelines.Trainers.Training;

namespace MlPipelines.Trainers.Tests;

/// <summary>Small strided subsets of the bundled Fashion-MNIST sample, normalised, as batch sets or data views.</summary>
internal static class FashionSample
{
    public static readonly string[] ClassNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Every (size / count)-th image of the split, so every class appears.</summary>
    public static (float[] Pixels, int[] Labels) Read(string split, int count)
    {
        var x = IdxFile.Read(Path.Combine(TestPaths.DataFolder, $"fashion-sample-{split}-images-idx3-ubyte.gz"));
        var y = IdxFile.Read(Path.Combine(TestPaths.DataFolder, $"fashion-sample-{split}-labels-idx1-ubyte.gz"));
        int stride = x.Count / count;
        var pixels = new float[count * 784];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            int src = i * stride;
            for (int p = 0; p < 784; p++) pixels[i * 784 + p] = (x.Data[src * 784 + p] / 255f - 0.286f) / 0.353f;
            labels[i] = y.Data[src];
        }
        return (pixels, labels);
    }

    public static ImageBatchSet Batches(string split, int count)
    {
        var (pixels, labels) = Read(split, count);
        return new ImageBatchSet(pixels, labels, 1, 28, 28, 10);
    }

    /// <summary>A view with "Features" (Vector&lt;Single&gt; [1, 28, 28]) and "Label" (key with the class names).</summary>
    public static IDataView View(string split, int count)
    {
        var (pixels, labels) = Read(split, count);
        return new InMemoryDataViewBuilder()
            .AddVectorColumn("Features", new VectorDataViewType(NumberDataViewType.Single, 1, 28, 28), pixels)
            .AddKeyColumn("Label", [.. labels.Select(l => (uint)l + 1)], ClassNames)
            .ToDataView();
    }
}
