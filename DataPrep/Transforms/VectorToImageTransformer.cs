using MlPipelines.Data;
using MlPipelines.DataPrep.Data;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.DataPrep.Processing;
using MlPipelines.Model;
using MlPipelines.Transforms;

namespace MlPipelines.DataPrep.Transforms;

/// <summary>
/// The inverse of pixel extraction, for looking at what a network sees (ML.NET's VectorToImageConvertingTransformer):
/// a Single vector of known shape [C, H, W] (or [H, W, C] with <see cref="PixelExtractionOptions.Interleave"/>) becomes an
/// image, undoing the normalisation of the same <see cref="PixelExtractionOptions"/>, rounding and clamping to bytes.
/// </summary>
public sealed class VectorToImageTransformer : RowToRowTransformerBase
{
    internal const string ComponentName = "mlp.vector_to_image";

    internal VectorToImageTransformer(string outputColumnName, string inputColumnName, PixelExtractionOptions options)
    {
        ImageColumnChecks.CheckName(outputColumnName, nameof(outputColumnName));
        ImageColumnChecks.CheckName(inputColumnName, nameof(inputColumnName));
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        Options = options;
    }

    /// <summary>The added image column.</summary>
    public string OutputColumnName { get; }

    /// <summary>The pixel vector column read.</summary>
    public string InputColumnName { get; }

    /// <summary>The extraction settings to undo.</summary>
    public PixelExtractionOptions Options { get; }

    /// <inheritdoc />
    public override void Save(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetComponent(ComponentName, 1);
        var o = Options;
        context.SetOptions(new SavedOptions(OutputColumnName, InputColumnName, o.Channels, o.Order, o.Scale, o.Offset, o.Mean?.ToArray(), o.Std?.ToArray(), o.Interleave));
    }

    internal static VectorToImageTransformer Load(ModelLoadContext context)
    {
        context.CheckVersion(1);
        var o = context.GetOptions<SavedOptions>();
        return new VectorToImageTransformer(o.OutputColumnName, o.InputColumnName, new PixelExtractionOptions
        {
            Channels = o.Channels, Order = o.Order, Scale = o.Scale, Offset = o.Offset, Mean = o.Mean, Std = o.Std, Interleave = o.Interleave,
        });
    }

    /// <summary>The image size of an input column shape, or a mismatch.</summary>
    internal (int Width, int Height) ImageSize(SchemaShape.Column column)
    {
        string expected = Options.Interleave ? $"Vector<Single, H, W, {Options.Channels}>" : $"Vector<Single, {Options.Channels}, H, W>";
        if (column.Kind != SchemaShape.Column.VectorKind.Vector || column.ItemType != NumberDataViewType.Single || column.Dimensions.IsDefault
            || column.Dimensions.Length != 3)
            throw new SchemaMismatchException(InputColumnName, expected, column.GetTypeString());
        var d = column.Dimensions;
        int c = Options.Interleave ? d[2] : d[0];
        if (c != Options.Channels) throw new SchemaMismatchException(InputColumnName, expected, column.GetTypeString());
        return Options.Interleave ? (d[1], d[0]) : (d[2], d[1]);
    }

    /// <inheritdoc />
    protected override ColumnMapperBase MakeMapper(DataViewSchema inputSchema)
    {
        var input = SchemaShapeChecks.RequireColumn(inputSchema, InputColumnName, "Vector<Single, C, H, W>");
        var (width, height) = ImageSize(SchemaShape.Column.FromSchemaColumn(input));
        return new Mapper(this, inputSchema, input, width, height);
    }

    private sealed record SavedOptions(string OutputColumnName, string InputColumnName, int Channels, ColorOrder Order, float Scale, float Offset,
        float[]? Mean, float[]? Std, bool Interleave);

    private sealed class Mapper(VectorToImageTransformer owner, DataViewSchema schema, DataViewSchema.Column input, int width, int height)
        : ColumnMapperBase(schema, [new DataViewSchema.DetachedColumn(owner.OutputColumnName, new ImageDataViewType(height, width))])
    {
        public override IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> activeOutput) => activeOutput(0) ? [input] : [];

        public override Delegate?[] CreateGetters(DataViewRow row, Func<int, bool> activeOutput)
        {
            if (!activeOutput(0)) return [null];
            var getter = row.GetGetter<VBuffer<float>>(input);
            VBuffer<float> pixels = default;
            ValueGetter<Image> result = (ref Image value) =>
            {
                getter(ref pixels);
                value = PixelExtractor.ToImage(pixels.GetValues(), width, height, owner.Options);
            };
            return [result];
        }
    }
}
