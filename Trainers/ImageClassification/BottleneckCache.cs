using System.Runtime.InteropServices;
using MlPipelines.Engine;
using MlPipelines.Engine.Nn;
using MlPipelines.Engine.Nn.Layers;
using MlPipelines.Trainers.Training;

namespace MlPipelines.Trainers.ImageClassification;

/// <summary>
/// A frozen backbone's features of every training image, computed once (ML.NET's cached bottlenecks): kept in memory when
/// they fit the byte budget, else written to a temporary file that every epoch reads back. Disposing deletes the file (it
/// is opened delete-on-close, so closing the stream on any path removes it).
/// </summary>
internal sealed class BottleneckCache : IDisposable
{
    private const int Batch = 128;
    private readonly float[]? _memory;
    private readonly FileStream? _file;
    private readonly int[] _labels;
    private readonly float[]? _softTargets;
    private readonly int _classes;

    private BottleneckCache(float[]? memory, FileStream? file, int count, int width, int[] labels, float[]? softTargets, int classes)
    {
        (_memory, _file, Count, Width, _labels, _softTargets, _classes) = (memory, file, count, width, labels, softTargets, classes);
    }

    /// <summary>Examples cached.</summary>
    public int Count { get; }

    /// <summary>Features per example.</summary>
    public int Width { get; }

    /// <summary>The spill file, or null when the features are in memory.</summary>
    public string? SpillPath => _file?.Name;

    /// <summary>
    /// Runs <paramref name="backbone"/> (evaluation mode, batches of 128) over <paramref name="data"/>; the features stay in
    /// memory up to <paramref name="budgetBytes"/>, beyond that they go to a new file in <paramref name="directory"/>.
    /// <paramref name="progress"/> hears (images done, images) after every batch.
    /// </summary>
    public static BottleneckCache Compute(Sequential backbone, ImageBatchSet data, int threads, long budgetBytes, string directory,
        Action<int, int>? progress, CancellationToken cancellationToken)
    {
        backbone.Eval();
        int[] outShape = backbone.OutputShape([1, data.Channels, data.Height, data.Width]);
        int width = outShape.Skip(1).Aggregate(1, (a, b) => checked(a * b));
        long bytes = (long)data.Count * width * sizeof(float);
        if ((long)data.Count * width > Array.MaxLength)
            throw new InvalidOperationException($"The features ({data.Count} x {width} floats) do not fit in one array; cut the network later or use fewer images.");
        float[]? memory = bytes <= budgetBytes ? new float[(long)data.Count * width] : null;
        FileStream? file = null;
        if (memory is null)
        {
            Directory.CreateDirectory(directory);
            string path = Path.Combine(directory, $"mlp-bottlenecks-{Guid.NewGuid():N}.bin");
            file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        }
        try
        {
            var ctx = new StepContext(new Engine.Compute.ComputeConfig { DegreeOfParallelism = threads }) { RecordForBackward = false };
            for (int start = 0; start < data.Count; start += Batch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int n = Math.Min(Batch, data.Count - start);
                ctx.BeginStep();
                Tensor x = ctx.Rent(n, data.Channels, data.Height, data.Width);
                data.Images.AsSpan(start * data.ImageSize, n * data.ImageSize).CopyTo(x.Span);
                ReadOnlySpan<float> y = backbone.Forward(x, ctx).Span[..(n * width)];
                if (memory is not null) y.CopyTo(memory.AsSpan(start * width, n * width));
                else file!.Write(MemoryMarshal.AsBytes(y));
                progress?.Invoke(start + n, data.Count);
            }
            file?.Flush();
        }
        catch
        {
            file?.Dispose();
            throw;
        }
        return new BottleneckCache(memory, file, data.Count, width, data.Labels, data.SoftTargets, data.Classes);
    }

    /// <summary>The features as [N, F, 1, 1] "images" with the data's labels: the cached array, or a fresh read of the spill file.</summary>
    public ImageBatchSet Read()
    {
        float[] features = _memory ?? ReadFile();
        return _softTargets is { } soft
            ? ImageBatchSet.WithSoftTargets(features, soft, Width, 1, 1, _classes)
            : new ImageBatchSet(features, _labels, Width, 1, 1, _classes);
    }

    private float[] ReadFile()
    {
        ObjectDisposedException.ThrowIf(_file is null || !_file.CanRead, this);
        var features = new float[(long)Count * Width];
        _file.Position = 0;
        const int chunk = 1 << 20;
        for (long at = 0; at < features.LongLength; at += chunk)
            _file.ReadExactly(MemoryMarshal.AsBytes(features.AsSpan((int)at, (int)Math.Min(chunk, features.LongLength - at))));
        return features;
    }

    /// <summary>Deletes the spill file, if any.</summary>
    public void Dispose() => _file?.Dispose();
}
