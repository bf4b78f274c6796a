using MlPipelines.Data;
using MlPipelines.Model;
using MlPipelines.Model.Format;

namespace MlPipelines;

/// <summary>
/// Model files and prediction engines (ctx.Model). A model file is one zip: "manifest.json" (format version, input schema,
/// the transformer tree with options) and "tensors.safetensors" (binary tensors). Loading an invalid file throws
/// <see cref="ModelFormatException"/> and nothing else.
/// </summary>
public sealed class ModelOperationsCatalog
{
    internal ModelOperationsCatalog(MLContext context) => Context = context;

    /// <summary>The context (for extension methods).</summary>
    public MLContext Context { get; }

    /// <summary>Saves <paramref name="model"/> and the schema of its input (may be null) to <paramref name="stream"/>.</summary>
    public void Save(ITransformer model, DataViewSchema? inputSchema, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        new ModelWriter(Context.ComponentCatalog).Write(stream, model, inputSchema);
    }

    /// <summary>
    /// Saves to <paramref name="filePath"/> atomically: the model is serialized first, written to a temporary file in the
    /// same folder, flushed, then renamed over the target, so a failure never leaves a partial file.
    /// </summary>
    public void Save(ITransformer model, DataViewSchema? inputSchema, string filePath)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        using var buffer = new MemoryStream();
        Save(model, inputSchema, buffer);
        IO.AtomicFile.Write(filePath, file =>
        {
            buffer.Position = 0;
            buffer.CopyTo(file);
        });
    }

    /// <summary>Loads a model from <paramref name="stream"/>; <paramref name="inputSchema"/> is the saved input schema (or null).</summary>
    public ITransformer Load(Stream stream, out DataViewSchema? inputSchema)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ModelReader.Load(stream, Context.ComponentCatalog, out inputSchema);
    }

    /// <summary>Loads a model file (file-system errors such as <see cref="FileNotFoundException"/> pass through).</summary>
    public ITransformer Load(string filePath, out DataViewSchema? inputSchema)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        using var file = new FileStream(filePath, FileMode.Open, FileAccess.Read, FileShare.Read);
        return Load(file, out inputSchema);
    }

    /// <summary>
    /// A single-threaded engine mapping one <typeparamref name="TSrc"/> to one <typeparamref name="TDst"/>. Input column types
    /// come from <typeparamref name="TSrc"/>'s members (use [VectorType] for sizes); see the overload taking a schema.
    /// </summary>
    public PredictionEngine<TSrc, TDst> CreatePredictionEngine<TSrc, TDst>(ITransformer transformer, bool ignoreMissingColumns = true)
        where TSrc : class
        where TDst : class, new() =>
        new(Context.ComponentCatalog, transformer, null, ignoreMissingColumns);

    /// <summary>As the other overload, taking column types and annotations from <paramref name="inputSchema"/> (e.g. the one Load returned).</summary>
    public PredictionEngine<TSrc, TDst> CreatePredictionEngine<TSrc, TDst>(ITransformer transformer, DataViewSchema? inputSchema, bool ignoreMissingColumns = true)
        where TSrc : class
        where TDst : class, new() =>
        new(Context.ComponentCatalog, transformer, inputSchema, ignoreMissingColumns);

    /// <summary>A thread-safe pool of prediction engines for servers; keeps at most <paramref name="maximumRetained"/> idle engines (default: 2 x processors).</summary>
    public PredictionEnginePool<TSrc, TDst> CreatePredictionEnginePool<TSrc, TDst>(ITransformer transformer, DataViewSchema? inputSchema = null,
        int? maximumRetained = null, bool ignoreMissingColumns = true)
        where TSrc : class
        where TDst : class, new() =>
        new(() => CreatePredictionEngine<TSrc, TDst>(transformer, inputSchema, ignoreMissingColumns), maximumRetained ?? 2 * Environment.ProcessorCount);
}
