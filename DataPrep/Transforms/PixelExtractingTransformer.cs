using MlPipelines.Data;
using MlPipelines.DataPrep.Data;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Processing;
using MlPipelines.Model;
using MlPipelines.Transforms;

namespace MlPipelines.DataPrep.Transforms;

/// <summary>
/// Turns an image column into a Single vector column (ML.NET's ImagePixelExtractingTransformer) with per-channel
/// normalisation (<see cref="PixelExtractionOptions"/>): shape [C, H, W], or [H, W, C] when interleaved, known from the
/// schema when the image column's size is (after a resize or crop). The transformed view's batch cursor extracts
/// straight into the caller's batch buffer and reads rows with up to <see cref="DegreeOfParallelism"/> cursors at once.
/// </summary>
public sealed class PixelExtractingTransformer : ITransformer
{
    internal const string ComponentName = "mlp.extract_pixels";

    internal PixelExtractingTransformer(string outputColumnName, string inputColumnName, PixelExtractionOptions options, int degreeOfParallelism)
    {
        ImageColumnChecks.CheckName(outputColumnName, nameof(outputColumnName));
        ImageColumnChecks.CheckName(inputColumnName, nameof(inputColumnName));
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(degreeOfParallelism, 1);
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        Options = options;
        DegreeOfParallelism = degreeOfParallelism;
    }

    /// <summary>The added vector column.</summary>
    public string OutputColumnName { get; }

    /// <summary>The image column read.</summary>
    public string InputColumnName { get; }

    /// <summary>Channels, order, scale, offset, mean, std, layout.</summary>
    public PixelExtractionOptions Options { get; }

    /// <summary>Row cursors the batch cursor reads with at once (1: one cursor, rows in view order).</summary>
    public int DegreeOfParallelism { get; }

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <summary>The output column type for an input image column of <paramref name="imageType"/>.</summary>
    public VectorDataViewType GetOutputType(ImageDataViewType imageType)
    {
        ArgumentNullException.ThrowIfNull(imageType);
        int c = Options.Channels, h = imageType.Height, w = imageType.Width;
        return Options.Interleave ? new VectorDataViewType(NumberDataViewType.Single, h, w, c) : new VectorDataViewType(NumberDataViewType.Single, c, h, w);
    }

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return MakeMapper(inputSchema).OutputSchema;
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return MakeMapper(inputSchema).AsRowToRowMapper();
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var mapper = MakeMapper(input.Schema);
        return new PixelDataView(input, mapper.Transform(input), this, mapper.ImageColumn);
    }

    /// <inheritdoc />
    public void Save(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetComponent(ComponentName, 1);
        var o = Options;
        context.SetOptions(new SavedOptions(OutputColumnName, InputColumnName, o.Channels, o.Order, o.Scale, o.Offset, o.Mean?.ToArray(), o.Std?.ToArray(),
            o.Interleave, DegreeOfParallelism));
    }

    internal static PixelExtractingTransformer Load(ModelLoadContext context)
    {
        context.CheckVersion(1);
        var o = context.GetOptions<SavedOptions>();
        var options = new PixelExtractionOptions
        {
            Channels = o.Channels, Order = o.Order, Scale = o.Scale, Offset = o.Offset, Mean = o.Mean, Std = o.Std, Interleave = o.Interleave,
        };
        return new PixelExtractingTransformer(o.OutputColumnName, o.InputColumnName, options, Math.Max(1, o.DegreeOfParallelism));
    }

    /// <summary>Extracts one image into <paramref name="destination"/>, checking it has the size the schema promised.</summary>
    internal void Extract(Image image, ImageDataViewType declared, Span<float> destination, long row)
    {
        if (image is null) throw new InvalidOperationException($"Row {row} of column '{InputColumnName}' has no image.");
        if (declared.IsKnownSize && (image.Width != declared.Width || image.Height != declared.Height))
            throw new InvalidOperationException(
                $"Row {row} of column '{InputColumnName}' is {image.Width}x{image.Height}, but the column type promises {declared.Width}x{declared.Height}.");
        PixelExtractor.Extract(image, Options, destination);
    }

    private Mapper MakeMapper(DataViewSchema inputSchema)
    {
        var (input, type) = ImageColumnChecks.RequireImage(inputSchema, InputColumnName);
        return new Mapper(this, inputSchema, input, type, GetOutputType(type));
    }

    private sealed record SavedOptions(string OutputColumnName, string InputColumnName, int Channels, ColorOrder Order, float Scale, float Offset,
        float[]? Mean, float[]? Std, bool Interleave, int DegreeOfParallelism);

    private sealed class Mapper(PixelExtractingTransformer owner, DataViewSchema schema, DataViewSchema.Column input, ImageDataViewType imageType, VectorDataViewType outputType)
        : ColumnMapperBase(schema, [new DataViewSchema.DetachedColumn(owner.OutputColumnName, outputType)])
    {
        public DataViewSchema.Column ImageColumn => input;

        public ImageDataViewType ImageType => imageType;

        public VectorDataViewType OutputType => outputType;

        public override IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> activeOutput) => activeOutput(0) ? [input] : [];

        public override Delegate?[] CreateGetters(DataViewRow row, Func<int, bool> activeOutput)
        {
            if (!activeOutput(0)) return [null];
            var getter = row.GetGetter<Image>(input);
            Image image = null!;
            int channels = owner.Options.Channels;
            ValueGetter<VBuffer<float>> result = (ref VBuffer<float> value) =>
            {
                getter(ref image);
                int size = image is null ? 0 : channels * image.Width * image.Height;
                var editor = VBufferEditor.Create(ref value, size);
                owner.Extract(image!, imageType, editor.Values, row.Position);
                value = editor.Commit();
            };
            return [result];
        }
    }
}
