namespace MlPipelines.Engine.Compute;

/// <summary>
/// The work of one <see cref="DeterministicParallel.For{TBody}(int, int, int, in TBody)"/> call: a small unmanaged struct
/// (pointers, sizes, geometry) whose <see cref="Run"/> handles the items [start, end). Unlike a capturing lambda it costs
/// no allocation, so kernels on the training path can use it thousands of times per epoch.
/// </summary>
internal interface IChunkBody
{
    /// <summary>Processes items [start, end).</summary>
    void Run(int start, int end);
}
