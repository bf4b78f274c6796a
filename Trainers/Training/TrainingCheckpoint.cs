using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using MlPipelines.Engine.Compute;

namespace MlPipelines.Trainers.Training;

/// <summary>
/// Everything a run needs to continue exactly where it stopped: the position (epoch, steps done in it, the epoch's running
/// sums), model weights and buffers, optimizer state, schedule position, the dropout random stream, early-stopping state and
/// the history so far. Stored as one file: the magic "MLPCKPT1", a length-prefixed JSON header, then length-prefixed float32
/// tensors (little-endian). Written to a temporary file and renamed, so a crash never leaves a torn checkpoint.
/// </summary>
internal sealed class TrainingCheckpoint
{
    public const string FileName = "checkpoint.mlpc";
    private const int FormatVersion = 1;
    private static readonly byte[] Magic = "MLPCKPT1"u8.ToArray();
    private const int MaxHeaderBytes = 64 << 20;
    private const int MaxNameBytes = 4096;

    public required CheckpointHeader Header { get; init; }

    public required Dictionary<string, float[]> Model { get; init; }

    public required Dictionary<string, float[]> Optimizer { get; init; }

    /// <summary>The best epoch's weights (early stopping with restore), or null.</summary>
    public Dictionary<string, float[]>? Best { get; init; }

    /// <summary>The checkpoint file inside <paramref name="path"/> when it is a directory, else <paramref name="path"/>.</summary>
    public static string Resolve(string path) => Directory.Exists(path) ? Path.Combine(path, FileName) : path;

    public void Save(string path) => IO.AtomicFile.Write(path, stream =>
    {
        stream.Write(Magic);
        byte[] header = JsonSerializer.SerializeToUtf8Bytes(Header);
        WriteInt(stream, header.Length);
        stream.Write(header);
        var sections = new[] { ("model", Model), ("optimizer", Optimizer), ("best", Best) };
        WriteInt(stream, sections.Sum(s => s.Item2?.Count ?? 0));
        foreach (var (section, tensors) in sections)
        {
            if (tensors is null) continue;
            foreach (var (name, values) in tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                byte[] key = Encoding.UTF8.GetBytes(section + "/" + name);
                WriteInt(stream, key.Length);
                stream.Write(key);
                WriteInt(stream, values.Length);
                if (BitConverter.IsLittleEndian) stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
                else
                    foreach (float v in values) WriteInt(stream, BitConverter.SingleToInt32Bits(v));
            }
        }
    }, createFolder: true);

    /// <summary>Reads a checkpoint; a truncated, corrupt or foreign file gives <see cref="InvalidDataException"/> naming it.</summary>
    public static TrainingCheckpoint Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No checkpoint at '{path}'.", path);
        using var stream = File.OpenRead(path);
        InvalidDataException Bad(string problem) => new($"Checkpoint '{path}' is unreadable: {problem}.");
        try
        {
            Span<byte> magic = stackalloc byte[8];
            stream.ReadExactly(magic);
            if (!magic.SequenceEqual(Magic)) throw Bad("it is not a MlPipelines checkpoint");
            int headerLength = ReadInt(stream);
            if (headerLength <= 0 || headerLength > MaxHeaderBytes || headerLength > stream.Length - stream.Position) throw Bad("the header length is invalid");
            byte[] headerBytes = new byte[headerLength];
            stream.ReadExactly(headerBytes);
            var header = JsonSerializer.Deserialize<CheckpointHeader>(headerBytes) ?? throw Bad("the header is empty");
            if (header.FormatVersion != FormatVersion) throw Bad($"format version {header.FormatVersion} is not {FormatVersion}");
            int count = ReadInt(stream);
            if (count < 0 || count > 1_000_000) throw Bad("the tensor count is invalid");
            var model = new Dictionary<string, float[]>(StringComparer.Ordinal);
            var optimizer = new Dictionary<string, float[]>(StringComparer.Ordinal);
            Dictionary<string, float[]>? best = null;
            for (int i = 0; i < count; i++)
            {
                int keyLength = ReadInt(stream);
                if (keyLength <= 0 || keyLength > MaxNameBytes) throw Bad("a tensor name is invalid");
                byte[] key = new byte[keyLength];
                stream.ReadExactly(key);
                string name = Encoding.UTF8.GetString(key);
                int length = ReadInt(stream);
                if (length < 0 || (long)length * 4 > stream.Length - stream.Position) throw Bad($"tensor '{name}' is longer than the file");
                float[] values = new float[length];
                stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
                if (!BitConverter.IsLittleEndian)
                    for (int k = 0; k < values.Length; k++) values[k] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReverseEndianness(BitConverter.SingleToInt32Bits(values[k])));
                int slash = name.IndexOf('/', StringComparison.Ordinal);
                var target = slash < 0 ? null : name[..slash] switch
                {
                    "model" => model,
                    "optimizer" => optimizer,
                    "best" => best ??= new Dictionary<string, float[]>(StringComparer.Ordinal),
                    _ => null,
                };
                if (target is null || !target.TryAdd(name[(slash + 1)..], values)) throw Bad($"tensor name '{name}' is unknown or repeated");
            }
            if (stream.Position != stream.Length) throw Bad("it has trailing bytes");
            return new TrainingCheckpoint { Header = header, Model = model, Optimizer = optimizer, Best = best };
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or ArgumentException)
        {
            throw Bad(e is EndOfStreamException ? "it is truncated" : e.Message.TrimEnd('.'));
        }
    }

    private static void WriteInt(Stream stream, int value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, value);
        stream.Write(b);
    }

    private static int ReadInt(Stream stream)
    {
        Span<byte> b = stackalloc byte[4];
        stream.ReadExactly(b);
        return BinaryPrimitives.ReadInt32LittleEndian(b);
    }

    internal const int CurrentFormatVersion = FormatVersion;
}

/// <summary>The JSON header of a checkpoint (see <see cref="TrainingCheckpoint"/>).</summary>
internal sealed record CheckpointHeader
{
    public int FormatVersion { get; init; } = TrainingCheckpoint.CurrentFormatVersion;

    /// <summary>The settings and data shape the run depends on; a resume must match them.</summary>
    public required Dictionary<string, string> Fingerprint { get; init; }

    /// <summary>The epoch to continue (1-based).</summary>
    public int Epoch { get; init; }

    /// <summary>Steps already done in that epoch.</summary>
    public int Step { get; init; }

    public double LossSum { get; init; }

    public long Correct { get; init; }

    public long Seen { get; init; }

    public long OptimizerStep { get; init; }

    public required double[] LearningRates { get; init; }

    public required double?[] Momenta { get; init; }

    public long SchedulePosition { get; init; }

    public required ulong[] RandomState { get; init; }

    public bool RandomHasSpare { get; init; }

    public float RandomSpare { get; init; }

    public required List<EpochMetrics> History { get; init; }

    public double? BestValue { get; init; }

    public int BestEpoch { get; init; }

    public int EpochsWithoutImprovement { get; init; }

    public double ElapsedSeconds { get; init; }

    public bool Stopped { get; init; }

    public RandomState ToRandomState() =>
        RandomState is [var s0, var s1, var s2, var s3] ? new RandomState(s0, s1, s2, s3, RandomHasSpare, RandomSpare)
            : throw new InvalidDataException("The checkpoint's random state is not four words.");
}
