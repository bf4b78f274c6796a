namespace MlPipelines;

/// <summary>Severity of a log message (ML.NET's names).</summary>
public enum ChannelMessageKind
{
    /// <summary>Detail for diagnosing.</summary>
    Trace,

    /// <summary>Progress and facts worth knowing.</summary>
    Info,

    /// <summary>Something probably wrong that did not stop the work.</summary>
    Warning,

    /// <summary>A failure.</summary>
    Error,
}
