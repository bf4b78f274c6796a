using System.Collections.Concurrent;
using MlPipelines.Data;
using MlPipelines.DataPrep.Codecs;
using MlPipelines.DataPrep.Data;
using MlPipelines.DataPrep.Imaging;
using MlPipelines.Model;
using MlPipelines.Transforms;

namespace MlPipelines.DataPrep.Transforms;

/// <summary>
/// Decodes image files named by a text column into an image column (ML.NET's ImageLoadingTransformer). Lazy: a file is
/// read only when its row's image is read. Paths are resolved against <see cref="ImageFolder"/> (rooted paths are used
/// as they are). With <see cref="BadImagePolicy.Skip"/>, rows whose files the fit-time validation found bad are
/// dropped (<see cref="Report"/> lists them); a file that fails later throws, naming it.
/// </summary>
public sealed class ImageLoadingTransformer : ITransformer
{
    internal const string ComponentName = "mlp.load_images";
    private readonly HashSet<string> _bad;

    internal ImageLoadingTransformer(string outputColumnName, string? imageFolder, string inputColumnName, BadImagePolicy policy,
        DecoderOptions? decoderOptions, ImageLoadReport report)
    {
        ImageColumnChecks.CheckName(outputColumnName, nameof(outputColumnName));
        ImageColumnChecks.CheckName(inputColumnName, nameof(inputColumnName));
        if (!Enum.IsDefined(policy)) throw new ArgumentOutOfRangeException(nameof(policy), policy, "Unknown policy.");
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        ImageFolder = imageFolder;
        Policy = policy;
        DecoderOptions = decoderOptions ?? DecoderOptions.Default;
        Report = report;
        _bad = new HashSet<string>(report.BadFiles.Select(b => b.Path), StringComparer.Ordinal);
    }

    /// <summary>The added image column.</summary>
    public string OutputColumnName { get; }

    /// <summary>The text column of paths.</summary>
    public string InputColumnName { get; }

    /// <summary>The folder relative paths are resolved against (null: the current directory).</summary>
    public string? ImageFolder { get; }

    /// <summary>What happens to bad files.</summary>
    public BadImagePolicy Policy { get; }

    /// <summary>Decoder limits.</summary>
    public DecoderOptions DecoderOptions { get; }

    /// <summary>What the fit-time validation found (<see cref="ImageLoadReport.None"/> when it did not run).</summary>
    public ImageLoadReport Report { get; }

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <summary>The file a path of the input column names.</summary>
    public string ResolvePath(string path) => ImageFolder is null ? path : Path.Combine(ImageFolder, path);

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
        if (Policy == BadImagePolicy.Skip && _bad.Count > 0)
            input = new PathFilteredDataView(input, input.Schema[InputColumnName], _bad);
        return mapper.Transform(input);
    }

    /// <inheritdoc />
    public void Save(ModelSaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.SetComponent(ComponentName, 1);
        context.SetOptions(new SavedOptions(OutputColumnName, InputColumnName, ImageFolder, Policy, DecoderOptions.MaxPixels,
            DecoderOptions.ApplyExifOrientation, Report.FilesChecked, Report.BadFiles.Select(b => b.Path).ToArray(), Report.BadFiles.Select(b => b.Reason).ToArray()));
    }

    internal static ImageLoadingTransformer Load(ModelLoadContext context)
    {
        context.CheckVersion(1);
        var o = context.GetOptions<SavedOptions>();
        if (o.BadPaths is null || o.BadReasons is null || o.BadPaths.Length != o.BadReasons.Length) throw context.Error("its bad-file lists are invalid");
        if (o.MaxPixels <= 0) throw context.Error("its pixel limit is not positive");
        var report = new ImageLoadReport(o.FilesChecked, o.BadPaths.Zip(o.BadReasons, (p, r) => new BadImageFile(p, r)).ToArray());
        return new ImageLoadingTransformer(o.OutputColumnName, o.ImageFolder, o.InputColumnName, o.Policy,
            new DecoderOptions { MaxPixels = o.MaxPixels, ApplyExifOrientation = o.ApplyExifOrientation }, report);
    }

    /// <summary>
    /// Decodes every file named by the input column of <paramref name="input"/> once (each distinct path once, on up to
    /// <paramref name="degreeOfParallelism"/> threads) and reports the ones that are missing or cannot be decoded, in row
    /// order; nothing is kept. Fit runs it on the training data; run it on other data (a test set) before reading it.
    /// </summary>
    public ImageLoadReport Validate(IDataView input, int degreeOfParallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfLessThan(degreeOfParallelism, 1);
        MakeMapper(input.Schema);
        var column = input.Schema[InputColumnName];
        var paths = new List<string>();
        using (var cursor = input.GetRowCursor([column]))
        {
            var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            ReadOnlyMemory<char> value = default;
            while (cursor.MoveNext())
            {
                getter(ref value);
                paths.Add(value.ToString());
            }
        }
        var distinct = paths.Distinct(StringComparer.Ordinal).ToArray();
        var reasons = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        Parallel.For(0, distinct.Length, new ParallelOptions { MaxDegreeOfParallelism = degreeOfParallelism }, i =>
        {
            string? reason = Check(distinct[i]);
            if (reason is not null) reasons[distinct[i]] = reason;
        });
        var bad = paths.Where(reasons.ContainsKey).Distinct(StringComparer.Ordinal).Select(p => new BadImageFile(p, reasons[p])).ToArray();
        return new ImageLoadReport(paths.Count, bad);
    }

    /// <summary>Decodes the file of <paramref name="path"/>; the exception names the file.</summary>
    internal Image Decode(string path) => ImageCodecs.DecodeFile(ResolvePath(path), DecoderOptions);

    private string? Check(string path)
    {
        if (path.Length == 0) return "the path is empty";
        string file = ResolvePath(path);
        try
        {
            if (!File.Exists(file)) return $"file not found ({file})";
            Decode(path);
            return null;
        }
        catch (ImageFormatException e)
        {
            return e.Problem;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or NotSupportedException)
        {
            return e.Message;
        }
    }

    private ColumnMapperBase MakeMapper(DataViewSchema inputSchema)
    {
        var input = SchemaShapeChecks.RequireColumn(inputSchema, InputColumnName, "String");
        if (input.Type is not TextDataViewType) throw new SchemaMismatchException(InputColumnName, "String", input.Type.ToString());
        return new Mapper(this, inputSchema, input);
    }

    private sealed record SavedOptions(string OutputColumnName, string InputColumnName, string? ImageFolder, BadImagePolicy Policy, long MaxPixels,
        bool ApplyExifOrientation, long FilesChecked, string[] BadPaths, string[] BadReasons);

    private sealed class Mapper(ImageLoadingTransformer owner, DataViewSchema schema, DataViewSchema.Column input)
        : ColumnMapperBase(schema, [new DataViewSchema.DetachedColumn(owner.OutputColumnName, new ImageDataViewType())])
    {
        public override IEnumerable<DataViewSchema.Column> GetDependencies(Func<int, bool> activeOutput) => activeOutput(0) ? [input] : [];

        public override Delegate?[] CreateGetters(DataViewRow row, Func<int, bool> activeOutput)
        {
            if (!activeOutput(0)) return [null];
            var getter = row.GetGetter<ReadOnlyMemory<char>>(input);
            ReadOnlyMemory<char> path = default;
            long position = long.MinValue, batch = long.MinValue;
            Image? last = null;
            ValueGetter<Image> result = (ref Image value) =>
            {
                if (last is null || row.Position != position || row.Batch != batch)
                {
                    getter(ref path);
                    last = owner.Decode(path.ToString());
                    position = row.Position;
                    batch = row.Batch;
                }
                value = last;
            };
            return [result];
        }
    }
}
