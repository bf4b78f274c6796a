namespace MlPipelines.Cli;

/// <summary>A mistake in how the tool was called: printed as one line, exit code 2, no stack trace.</summary>
internal sealed class UserException(string message) : Exception(message);
