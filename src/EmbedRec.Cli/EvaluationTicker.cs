using System.Diagnostics;
using EmbedRec.Evaluation;

namespace EmbedRec.Cli;

/// <summary>
/// Plain-output progress of long evaluations: a line such as "evaluating test: 5,120 of 22,363 users (23%), 31 s"
/// once an evaluation has run for <see cref="Interval"/> and then at most once per interval, so that logs of short
/// evaluations (most runs) stay one line per epoch while a DLR2 critic scoring every user × item pair shows it is alive.
/// </summary>
internal sealed class EvaluationTicker(Action<string> write)
{
    /// <summary>How long an evaluation runs before its first line, and the least time between lines.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    private readonly Stopwatch _clock = new();
    private TimeSpan _lastLine;

    /// <summary>Takes one progress report of the evaluation of <paramref name="part"/>; (0, total) starts a new evaluation.</summary>
    public void Report(string part, EvaluationProgress p) => Report(part, p, _clock.Elapsed);

    /// <summary>As <see cref="Report(string, EvaluationProgress)"/> at a given time since the evaluation began (for tests).</summary>
    internal void Report(string part, EvaluationProgress p, TimeSpan elapsed)
    {
        if (p.UsersDone == 0)
        {
            _clock.Restart();
            _lastLine = TimeSpan.Zero;
            return;
        }
        if (p.UsersDone >= p.UsersTotal || elapsed < Interval || elapsed - _lastLine < Interval) return;
        _lastLine = elapsed;
        write(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"evaluating {part}: {p.UsersDone:N0} of {p.UsersTotal:N0} users ({100.0 * p.UsersDone / p.UsersTotal:0}%), {elapsed.TotalSeconds:0} s"));
    }
}
