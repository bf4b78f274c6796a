using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using MlPipelines.Benchmarks.Harness;

namespace MlPipelines.Benchmarks.Training;

/// <summary>
/// One engine build against another in the same process: each build's MlPipelines.Engine.dll is loaded into its own
/// AssemblyLoadContext together with a copy of this assembly (whose <see cref="StepLoop"/> then runs that build), and
/// short rounds of steps alternate between them (A B, then B A, ...). On a shared VM whose speed drifts by 10-20 % from
/// one minute to the next, separate runs cannot see a 2-3 % kernel change; paired rounds a second apart can: the figure
/// is the median of the per-round B/A ratios. Passing the same folder twice measures the method's own spread.
/// Args: DIR_A DIR_B [model, default resnet20] [train|infer, default train] [threads, default 2] [rounds, default 40]
/// [steps a round, default 3]. A folder holds a Release build of Engine (`dotnet build -c Release Engine -o DIR`).
/// </summary>
internal sealed class EngineAbHarness : IHarness
{
    public string Name => "engine-ab";

    public string Description => "step time of two engine builds, interleaved in one process (A/B of a kernel change)";

    public int Run(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: engine-ab DIR_A DIR_B [model] [train|infer] [threads] [rounds] [steps]");
            return 2;
        }
        string model = args.Length > 2 ? args[2] : "resnet20";
        bool train = (args.Length > 3 ? args[3] : "train") switch
        {
            "train" => true,
            "infer" => false,
            string other => throw new ArgumentException($"Mode '{other}' is neither 'train' nor 'infer'."),
        };
        int threads = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 2;
        int rounds = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 40;
        int steps = args.Length > 6 ? int.Parse(args[6], CultureInfo.InvariantCulture) : 3;
        var builds = new[] { Load(args[0], "A"), Load(args[1], "B") };
        var loops = builds.Select(b => Create(b, model, threads, train)).ToArray();
        foreach (var (time, _) in loops) time(StepLoop.ProtocolOf(model).Warmup);

        var ms = new[] { new List<double>(), new List<double>() };
        for (int r = 0; r < rounds; r++)
            foreach (int v in r % 2 == 0 ? new[] { 0, 1 } : [1, 0])
                ms[v].Add(loops[v].Time(steps));
        double[] ratios = [.. ms[0].Zip(ms[1], (a, b) => b / a).Order()];
        Console.WriteLine($"{model} {(train ? "training" : "inference")}, {threads} thread(s), {rounds} rounds of {steps} steps");
        for (int v = 0; v < 2; v++)
            Console.WriteLine($"  {"AB"[v]}: {args[v]}: median {Median(ms[v]):F2} ms/step (mean {ms[v].Average():F2})");
        Console.WriteLine($"  B/A step time: median {Median(ratios):F3} (per-round ratios {ratios[0]:F3}-{ratios[^1]:F3})");
        double ca = loops[0].Checksum(), cb = loops[1].Checksum();
        Console.WriteLine($"  checksums A {ca:R} B {cb:R}: {(ca.Equals(cb) ? "equal (the same bits)" : "different (the builds round differently)")}");
        return 0;
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted[sorted.Length / 2];
    }

    /// <summary>This assembly, loaded anew in a context that takes MlPipelines.Engine from <paramref name="folder"/>.</summary>
    private static Assembly Load(string folder, string name)
    {
        string engine = Path.GetFullPath(Path.Combine(folder, "MlPipelines.Engine.dll"));
        if (!File.Exists(engine)) throw new FileNotFoundException($"No MlPipelines.Engine.dll in {folder} (build one with `dotnet build -c Release Engine -o {folder}`).", engine);
        return new BuildContext(name, engine, typeof(EngineAbHarness).Assembly.Location).LoadFromAssemblyName(typeof(EngineAbHarness).Assembly.GetName());
    }

    private static (Func<int, double> Time, Func<double> Checksum) Create(Assembly benchmarks, string model, int threads, bool train)
    {
        MethodInfo create = benchmarks.GetType(typeof(StepLoop).FullName!, throwOnError: true)!.GetMethod(nameof(StepLoop.Create))!;
        return ((Func<int, double>, Func<double>))create.Invoke(null, [model, threads, train])!;
    }

    /// <summary>Resolves the engine and this assembly from their own files; everything else from the default context.</summary>
    private sealed class BuildContext(string name, string engine, string benchmarks) : AssemblyLoadContext(name)
    {
        protected override Assembly? Load(AssemblyName assemblyName) => assemblyName.Name switch
        {
            "MlPipelines.Engine" => LoadFromAssemblyPath(engine),
            "MlPipelines.Benchmarks" => LoadFromAssemblyPath(benchmarks),
            _ => null,
        };
    }
}
