namespace MlPipelines.Benchmarks.Harness;

/// <summary>
/// A side-by-side measurement: runs our implementation and its anchor (PyTorch, ONNX Runtime,
/// libjpeg-turbo...) in one process run and prints a table of figures and ratios.
/// Invoked as `dotnet run -c Release --project Benchmarks -- NAME [args]`.
/// </summary>
internal interface IHarness
{
    /// <summary>The command-line name, e.g. "gemm".</summary>
    string Name { get; }

    /// <summary>One line saying what it measures.</summary>
    string Description { get; }

    /// <summary>Runs the measurement; returns the process exit code.</summary>
    int Run(string[] args);
}
