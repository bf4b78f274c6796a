// Test classes run in parallel; tests inside one class run in order.
[assembly: Parallelize(Workers = 0, Scope = ExecutionScope.ClassLevel)]
