namespace MlPipelines.Benchmarks.Onnx;

/// <summary>
/// One timed window of repeated forward passes at one batch size, from either side (our engine or ONNX Runtime).
/// </summary>
/// <param name="Batch">Images per forward pass.</param>
/// <param name="Runs">Forward passes timed.</param>
/// <param name="MedianMs">Median milliseconds per pass (the latency figure at batch 1).</param>
/// <param name="ImagesPerSecond">Runs x batch over the summed pass times.</param>
/// <param name="CpuPerWall">Process CPU time over wall time in the window: about the number of busy threads on an idle machine.</param>
/// <param name="BusyThreads">OS threads that used at least a fifth of the busiest thread's CPU time in the window.</param>
internal sealed record InferenceTiming(int Batch, int Runs, double MedianMs, double ImagesPerSecond, double CpuPerWall, int BusyThreads);
