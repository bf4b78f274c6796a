using System.Globalization;
using MlPipelines.Trainers.Training;
using Spectre.Console;

namespace MlPipelines.Cli;

/// <summary>
/// Shows training progress: on a terminal, a live progress bar (epoch, step, loss, images/s, ETA) above the finished
/// epochs' lines; when output is redirected (logs, CI), one plain line per epoch. Either way the epoch lines are the same.
/// </summary>
internal sealed class TrainingConsole : IProgress<TrainingProgress>
{
    private ProgressTask? _bar;

    /// <summary>Whether a live bar is drawn (a terminal that is not redirected).</summary>
    public static bool Interactive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/> with the bar on a terminal, or plainly otherwise.</summary>
    public T Run<T>(Func<T> work)
    {
        if (!Interactive) return work();
        return AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                _bar = ctx.AddTask("starting", maxValue: 1);
                try
                {
                    return work();
                }
                finally
                {
                    _bar.StopTask();
                    _bar = null;
                }
            });
    }

    public void Report(TrainingProgress p)
    {
        if (p.IsEpochEnd && p.Metrics is { } m)
        {
            string line = EpochLine(p, m);
            if (_bar is null) Console.WriteLine(line);
            else AnsiConsole.MarkupLine(Markup.Escape(line));
        }
        if (_bar is not null)
        {
            _bar.MaxValue = (double)p.Epochs * p.StepsPerEpoch;
            _bar.Value = (double)(p.Epoch - 1) * p.StepsPerEpoch + p.Step;
            _bar.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"epoch {p.Epoch}/{p.Epochs} step {p.Step}/{p.StepsPerEpoch} loss {p.Loss:F4} {p.ImagesPerSecond:F0} img/s"));
        }
    }

    private static string EpochLine(TrainingProgress p, EpochMetrics m) =>
        string.Create(CultureInfo.InvariantCulture, $"epoch {m.Epoch,3}/{p.Epochs}  loss {m.TrainLoss:F4}  train acc {m.TrainAccuracy:P1}")
        + (m.ValidationAccuracy is double va ? string.Create(CultureInfo.InvariantCulture, $"  val loss {m.ValidationLoss:F4}  val acc {va:P1}") : "")
        + string.Create(CultureInfo.InvariantCulture, $"  lr {m.LearningRate:F4}  {p.ImagesPerSecond:F0} img/s  elapsed {Clock(p.Elapsed)}  eta {Clock(p.Remaining)}");

    /// <summary>mm:ss, or h:mm:ss from an hour on (a long run's elapsed time must not wrap back to 00:00).</summary>
    internal static string Clock(TimeSpan t) => t >= TimeSpan.FromHours(1)
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}:{t:mm\\:ss}")
        : t.ToString(@"mm\:ss", CultureInfo.InvariantCulture);
}
