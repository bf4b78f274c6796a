using MlPipelines.DataPrep.Data;
using MlPipelines.DataPrep.Imaging;

namespace MlPipelines.DataPrep.Transforms;

/// <summary>
/// The estimator of <see cref="ImageLoadingTransformer"/> (ctx.Transforms.LoadImages). Fit checks the schema, then
/// (unless <see cref="Options.ValidateOnFit"/> is off under <see cref="BadImagePolicy.Fail"/>) decodes every file once,
/// in parallel over the context's degree of parallelism, so that bad files are found before training starts.
/// </summary>
public sealed class ImageLoadingEstimator : IEstimator<ImageLoadingTransformer>
{
    private readonly MLContext _context;

    internal ImageLoadingEstimator(MLContext context, Options options)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        ImageColumnChecks.CheckName(options.OutputColumnName, nameof(options));
        ImageColumnChecks.CheckName(options.InputColumnName, nameof(options));
        if (!Enum.IsDefined(options.BadFilePolicy)) throw new ArgumentOutOfRangeException(nameof(options), options.BadFilePolicy, "Unknown bad-file policy.");
        _context = context;
        EstimatorOptions = options;
    }

    /// <summary>The settings.</summary>
    public Options EstimatorOptions { get; }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ImageColumnChecks.RequireText(inputSchema, EstimatorOptions.InputColumnName);
        return inputSchema.With([ImageColumnChecks.ImageShape(EstimatorOptions.OutputColumnName, new ImageDataViewType())]);
    }

    /// <inheritdoc />
    public ImageLoadingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var o = EstimatorOptions;
        var probe = new ImageLoadingTransformer(o.OutputColumnName, o.ImageFolder, o.InputColumnName, o.BadFilePolicy, o.DecoderOptions, ImageLoadReport.None);
        if (!o.ValidateOnFit && o.BadFilePolicy == BadImagePolicy.Fail) return probe;
        var report = probe.Validate(input, _context.DegreeOfParallelism);
        if (report.BadCount > 0)
        {
            if (o.BadFilePolicy == BadImagePolicy.Fail) throw new BadImageFilesException(report.BadFiles, report.FilesChecked);
            _context.WriteLog(ChannelMessageKind.Warning, "LoadImages",
                $"Skipping {report.BadCount} of {report.FilesChecked} rows whose image files cannot be loaded.");
            foreach (var bad in report.BadFiles) _context.WriteLog(ChannelMessageKind.Warning, "LoadImages", $"Skipped {bad.Path}: {bad.Reason}");
        }
        else
        {
            _context.WriteLog(ChannelMessageKind.Info, "LoadImages", $"All {report.FilesChecked} image files decode.");
        }
        return new ImageLoadingTransformer(o.OutputColumnName, o.ImageFolder, o.InputColumnName, o.BadFilePolicy, o.DecoderOptions, report);
    }

    /// <summary>Settings of LoadImages.</summary>
    public sealed record Options
    {
        /// <summary>The added image column.</summary>
        public string OutputColumnName { get; init; } = "Image";

        /// <summary>The text column of paths.</summary>
        public string InputColumnName { get; init; } = "ImagePath";

        /// <summary>The folder relative paths are resolved against (null: the current directory).</summary>
        public string? ImageFolder { get; init; }

        /// <summary>What happens to missing or undecodable files (default: fail before training).</summary>
        public BadImagePolicy BadFilePolicy { get; init; } = BadImagePolicy.Fail;

        /// <summary>Whether Fit decodes every file once to find bad ones (always on with <see cref="BadImagePolicy.Skip"/>).</summary>
        public bool ValidateOnFit { get; init; } = true;

        /// <summary>Decoder limits (pixel-count bound, EXIF orientation); null for the defaults.</summary>
        public DecoderOptions? DecoderOptions { get; init; }
    }
}
