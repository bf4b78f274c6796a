using MlPipelines.Data;
using MlPipelines.DataPrep.Data;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.Transforms;

namespace MlPipelines.DataPrep.Transforms;

/// <summary>
/// Base of the transformers that map one image column to a new image column (resize, crop, grayscale): lazy, one
/// image per row read, the input unchanged (a new <see cref="Image"/> is made, or the input returned when nothing changes).
/// </summary>
public abstract class ImageToImageTransformerBase : RowToRowTransformerBase
{
    private protected ImageToImageTransformerBase(string outputColumnName, string inputColumnName)
    {
        ImageColumnChecks.CheckName(outputColumnName, nameof(outputColumnName));
        ImageColumnChecks.CheckName(inputColumnName, nameof(inputColumnName));
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
    }

    /// <summary>The added image column.</summary>
    public string OutputColumnName { get; }

    /// <summary>The image column read.</summary>
    public string InputColumnName { get; }

    /// <summary>The type of the output column given the input's.</summary>
    internal abstract ImageDataViewType GetOutputType(ImageDataViewType inputType);

    /// <summary>Maps one image.</summary>
    internal abstract Image Map(Image image);

    /// <inheritdoc />
    protected sealed override ColumnMapperBase MakeMapper(DataViewSchema inputSchema)
    {
        var (input, type) = ImageColumnChecks.RequireImage(inputSchema, InputColumnName);
        return new Mapper(this, inputSchema, input, GetOutputType(type));
    }

    private sealed class Mapper(ImageToImageTransformerBase owner, DataViewSchema schema, DataViewSchema.Column input, ImageDataViewType outputType)
        : ColumnMapperBase(schema, [new DataViewSchema.DetachedColumn(owner.OutputColumnName, outputType)])
    {
        public override IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> activeOutput) => activeOutput(0) ? [input] : [];

        public override Delegate?[] CreateGetters(DataViewRow row, Func<int, bool> activeOutput)
        {
            if (!activeOutput(0)) return [null];
            var getter = row.GetGetter<Image>(input);
            Image source = null!;
            ValueGetter<Image> result = (ref Image value) =>
            {
                getter(ref source);
                if (source is null) throw new InvalidOperationException($"Row {row.Position} of column '{input.Name}' has no image.");
                value = owner.Map(source);
            };
            return [result];
        }
    }
}
