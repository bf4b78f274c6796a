using System.Text.Json.Nodes;
using MlPipelines.Data;
using MlPipelines.DataPrep.Augmentation;
using MlPipelines.Model;

namespace MlPipelines.DataPrep.Transforms;

/// <summary>
/// Applies an <see cref="IImageAugmentation"/> to training data only (ctx.Transforms.Augment): scoring, evaluation and
/// prediction see the images unchanged. Each example's randomness comes from (<see cref="Seed"/>, epoch, row id) alone
/// (<see cref="AugmentationRandom.ForExample"/>), so the augmented images are the same at any degree of parallelism
/// and in any reading order. The view <see cref="TransformForTraining"/> returns counts epochs: every cursor, cursor set
/// or batch cursor opened on it is the next epoch (0, 1, ...); <see cref="TransformForEpoch"/> fixes the epoch instead.
/// The output column replaces an input column of the same name and type (the input column itself by default), and
/// when that type promises an image size, the augmentation must produce it.
/// </summary>
public sealed class ImageAugmentingTransformer : ITrainingOnlyTransformer
{
    internal const string ComponentName = "mlp.augment_images";
    private readonly JsonObject _saved;

    internal ImageAugmentingTransformer(string outputColumnName, string inputColumnName, IImageAugmentation? augmentation, ulong seed, JsonObject? saved = null)
    {
        ImageColumnChecks.CheckName(outputColumnName, nameof(outputColumnName));
        ImageColumnChecks.CheckName(inputColumnName, nameof(inputColumnName));
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        Augmentation = augmentation;
        Seed = seed;
        _saved = saved ?? AugmentationSerializer.Write(augmentation ?? throw new ArgumentNullException(nameof(augmentation)));
    }

    /// <summary>The image column written (it must already exist, with the input column's type).</summary>
    public string OutputColumnName { get; }

    /// <summary>The image column read.</summary>
    public string InputColumnName { get; }

    /// <summary>
    /// The augmentation; null for a transformer loaded from a model file whose augmentation is not one of the built-in
    /// kinds (it still scores, as the identity, but cannot transform training data).
    /// </summary>
    public IImageAugmentation? Augmentation { get; }

    /// <summary>The seed of every example's random stream.</summary>
    public ulong Seed { get; }

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        Check(inputSchema);
        return inputSchema;
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        Check(inputSchema);
        return new IdentityMapper(inputSchema);
    }

    /// <summary>The identity: scoring sees the images as they are.</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Check(input.Schema);
        return input;
    }

    /// <summary>The augmented view; each cursor opened on it is the next epoch.</summary>
    public IDataView TransformForTraining(IDataView input) => MakeView(input, null);

    /// <summary>The augmented view of one fixed <paramref name="epoch"/> (every cursor gives the same images).</summary>
    public IDataView TransformForEpoch(IDataView input, int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        return MakeView(input, epoch);
    }

    /// <inheritdoc />
    public void Save(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetComponent(ComponentName, 1);
        context.SetOptions(new SavedOptions(OutputColumnName, InputColumnName, Seed, (JsonObject)_saved.DeepClone()));
    }

    internal static ImageAugmentingTransformer Load(ModelLoadContext context)
    {
        context.CheckVersion(1);
        var o = context.GetOptions<SavedOptions>();
        if (o.Augmentation is null) throw context.Error("its augmentation is missing");
        IImageAugmentation? augmentation;
        try
        {
            augmentation = AugmentationSerializer.Read(o.Augmentation);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException or OverflowException)
        {
            throw context.Error($"its augmentation is invalid ({e.Message})");
        }
        return new ImageAugmentingTransformer(o.OutputColumnName, o.InputColumnName, augmentation, o.Seed, o.Augmentation);
    }

    /// <summary>Checks the schema; returns the input and output columns.</summary>
    internal (DataViewSchema.Column Input, DataViewSchema.Column Output) Check(DataViewSchema schema)
    {
        var (input, type) = ImageColumnChecks.RequireImage(schema, InputColumnName);
        var output = schema.GetColumnOrNull(OutputColumnName);
        if (output is null || !output.Value.Type.Equals(type))
            throw new SchemaMismatchException(OutputColumnName, type.ToString(), output?.Type.ToString());
        return (input, output.Value);
    }

    private AugmentedDataView MakeView(IDataView input, int? epoch)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (inputColumn, outputColumn) = Check(input.Schema);
        if (Augmentation is null)
            throw new InvalidOperationException(
                $"The augmentation of column '{OutputColumnName}' was loaded from a model file by name only; create the transformer again to train with it.");
        return new AugmentedDataView(input, Augmentation, Seed, inputColumn, outputColumn, epoch);
    }

    private sealed record SavedOptions(string OutputColumnName, string InputColumnName, ulong Seed, JsonObject? Augmentation);

    private sealed class IdentityMapper(DataViewSchema schema) : IRowToRowMapper
    {
        public DataViewSchema InputSchema => schema;

        public DataViewSchema OutputSchema => schema;

        public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) => dependingColumns.ToList();

        public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
        {
            ArgumentNullException.ThrowIfNull(input);
            return input;
        }
    }
}
