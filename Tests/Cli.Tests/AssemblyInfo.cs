// Each test starts its own mlp processes in its own folder, so classes may run side by side.
[assembly: Parallelize(Workers = 0, Scope = ExecutionScope.ClassLevel)]
