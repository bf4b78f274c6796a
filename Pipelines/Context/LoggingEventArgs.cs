namespace MlPipelines;

/// <summary>A log message from a component (ML.NET's LoggingEventArgs).</summary>
public sealed class LoggingEventArgs : EventArgs
{
    /// <summary>Creates a message.</summary>
    public LoggingEventArgs(ChannelMessageKind kind, string source, string rawMessage)
    {
        Kind = kind;
        Source = source ?? throw new ArgumentNullException(nameof(source));
        RawMessage = rawMessage ?? throw new ArgumentNullException(nameof(rawMessage));
    }

    /// <summary>Severity.</summary>
    public ChannelMessageKind Kind { get; }

    /// <summary>The component that wrote it (e.g. "Cache", "ImageClassificationTrainer").</summary>
    public string Source { get; }

    /// <summary>The message text.</summary>
    public string RawMessage { get; }

    /// <summary>"[Source] Kind: message".</summary>
    public string Message => $"[{Source}] {Kind}: {RawMessage}";
}
