using System.Diagnostics;
using System.Reflection;

namespace MlPipelines.Benchmarks.Harness;

/// <summary>Runs an anchor script (Benchmarks/anchors/*.py with Debian's /usr/bin/python3, or node) and returns its stdout.</summary>
internal static class Anchor
{
    /// <summary>Folder holding the anchor scripts, found from the build output upwards.</summary>
    public static string ScriptsFolder
    {
        get
        {
            string? root = typeof(Anchor).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
            if (root is not null && Directory.Exists(Path.Combine(root, "Benchmarks", "anchors")))
                return Path.GetFullPath(Path.Combine(root, "Benchmarks", "anchors"));
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "Benchmarks", "anchors");
                if (Directory.Exists(candidate)) return candidate;
            }
            throw new DirectoryNotFoundException("Benchmarks/anchors not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>
    /// Runs `/usr/bin/python3 anchors/<paramref name="script"/> args` with OpenBLAS using its AVX-512 kernels as measured in
    /// ../shared/anchors, and returns stdout; throws with stderr on failure.
    /// </summary>
    public static string RunPython(string script, params string[] args) => RunPython(script, new Dictionary<string, string>(), args);

    /// <summary>As <see cref="RunPython(string, string[])"/>, with extra environment variables (e.g. OMP_NUM_THREADS).</summary>
    public static string RunPython(string script, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(ScriptsFolder, script));
        foreach (string a in args) psi.ArgumentList.Add(a);
        // OpenBLAS's AVX-512 kernels where the CPU has them (without the override it picks its AVX2 ones); forcing them on
        // a CPU without AVX-512 kills the anchor with SIGILL.
        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported) psi.Environment["OPENBLAS_CORETYPE"] = "SkylakeX";
        foreach (var (key, value) in environment) psi.Environment[key] = value;
        return Run(psi, script);
    }

    /// <summary>Runs an arbitrary anchor process and returns stdout.</summary>
    public static string Run(ProcessStartInfo psi, string what)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {psi.FileName}");
        Task<string> err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"Anchor {what} failed (exit {p.ExitCode}):\n{err.Result}");
        return output;
    }
}
