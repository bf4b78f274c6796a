using BenchmarkDotNet.Running;
using MlPipelines.Benchmarks.Harness;

namespace MlPipelines.Benchmarks;

/// <summary>
/// `dotnet run -c Release --project Benchmarks -- NAME [args]` runs a side-by-side harness;
/// `-- list` lists them; anything else goes to BenchmarkDotNet's switcher (micro-benchmarks).
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var harnesses = typeof(Program).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(IHarness).IsAssignableFrom(t))
            .Select(t => (IHarness)Activator.CreateInstance(t)!)
            .OrderBy(h => h.Name, StringComparer.Ordinal)
            .ToList();
        if (args.Length > 0 && args[0] == "list")
        {
            foreach (var h in harnesses) Console.WriteLine($"{h.Name,-16} {h.Description}");
            return 0;
        }
        var harness = args.Length > 0 ? harnesses.FirstOrDefault(h => h.Name == args[0]) : null;
        if (harness is not null) return harness.Run(args[1..]);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
