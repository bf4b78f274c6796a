// Test classes run in parallel; tests inside one class run in order.
[assembly: Parallelize(Workers = 0, Scope = ExecutionScope.ClassLevel)]

// Components of this test assembly register themselves (custom column type, training-only transformer loader).
[assembly: MlPipelines.ComponentRegistrar(typeof(MlPipelines.Pipelines.Tests.Helpers.TestRegistrar))]
