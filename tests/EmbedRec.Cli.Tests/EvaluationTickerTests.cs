using EmbedRec.Evaluation;
using Xunit;

namespace EmbedRec.Cli.Tests;

/// <summary>Plain output of long evaluations: quiet for short ones, a line per interval for long ones.</summary>
public sealed class EvaluationTickerTests
{
    [Fact]
    public void AShortEvaluationPrintsNothingAndALongOneALinePerInterval()
    {
        var lines = new List<string>();
        var ticker = new EvaluationTicker(lines.Add);
        var s = TimeSpan.FromSeconds(1);
        // A short evaluation (all blocks within the interval) leaves the log as it was.
        ticker.Report("valid", new EvaluationProgress(0, 1000), TimeSpan.Zero);
        ticker.Report("valid", new EvaluationProgress(500, 1000), 10 * s);
        ticker.Report("valid", new EvaluationProgress(1000, 1000), 20 * s);
        Assert.Empty(lines);
        // A long one: a line once 30 s have passed, none for the next block 10 s later, one again after 30 more, and no
        // line for the last block (the epoch's line follows it).
        ticker.Report("test", new EvaluationProgress(0, 22_363), TimeSpan.Zero);
        ticker.Report("test", new EvaluationProgress(5_120, 22_363), 31 * s);
        ticker.Report("test", new EvaluationProgress(6_144, 22_363), 41 * s);
        ticker.Report("test", new EvaluationProgress(12_288, 22_363), 62 * s);
        ticker.Report("test", new EvaluationProgress(22_363, 22_363), 120 * s);
        Assert.Equal(["evaluating test: 5,120 of 22,363 users (23%), 31 s", "evaluating test: 12,288 of 22,363 users (55%), 62 s"], lines);
        // The next evaluation starts its own clock.
        ticker.Report("valid", new EvaluationProgress(0, 22_363), TimeSpan.Zero);
        ticker.Report("valid", new EvaluationProgress(256, 22_363), 5 * s);
        Assert.Equal(2, lines.Count);
    }
}
