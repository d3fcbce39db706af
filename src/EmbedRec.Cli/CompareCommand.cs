using System.CommandLine;
using System.Globalization;
using EmbedRec.Evaluation;
using EmbedRec.Training;

namespace EmbedRec.Cli;

/// <summary><c>embedrec compare</c>: two sets of runs (e.g. one per seed), their means, and a paired t-test and Wilcoxon test over the pairs, each p-value with the method that gave it.</summary>
internal static class CompareCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var baseline = new Option<string[]>("--baseline") { Description = "Run directories of the baseline, one per seed.", Required = true, AllowMultipleArgumentsPerToken = true };
        var method = new Option<string[]>("--method") { Description = "Run directories of the method, paired in order with the baseline's.", Required = true, AllowMultipleArgumentsPerToken = true };
        var metrics = new Option<string[]>("--metric") { Description = "Test metrics to compare (default ndcg@10).", AllowMultipleArgumentsPerToken = true };
        var cmd = new Command("compare", "Compare finished runs: means ± sd over seeds, relative gain, paired t-test and Wilcoxon test.") { baseline, method, metrics };
        cmd.SetAction(p => Terminal.Guard(() =>
        {
            var a = p.GetValue(baseline)!;
            var b = p.GetValue(method)!;
            if (a.Length != b.Length) throw new ArgumentException($"--baseline has {a.Length} runs and --method {b.Length}; they are compared in pairs.");
            var keys = p.GetValue(metrics) is { Length: > 0 } m ? m : ["ndcg@10"];
            var runsA = a.Select(RunSummary.Read).ToArray();
            var runsB = b.Select(RunSummary.Read).ToArray();
            var rows = new List<IReadOnlyList<string>>();
            foreach (var key in keys)
            {
                var x = runsA.Select(r => r.TestMetric(key)).ToArray();
                var y = runsB.Select(r => r.TestMetric(key)).ToArray();
                string t = "1 pair: no test", w = t;
                if (x.Length >= 2)
                {
                    var tt = Significance.PairedTTest(y, x);
                    t = tt.Method == TestMethod.StudentT ? string.Create(Inv, $"t={tt.Statistic:0.00}, {P(tt)}") : P(tt);
                    w = P(Significance.Wilcoxon(y, x));
                }
                rows.Add([key, Summary(x), Summary(y), Signed((y.Average() / x.Average() - 1) * 100, "0.0") + "%", t, w]);
            }
            Terminal.Table($"{a.Length} paired runs", ["metric", "baseline", "method", "gain", "paired t-test", "Wilcoxon"], rows);
            return 0;
        }));
        return cmd;
    }

    private static string Summary(double[] v)
    {
        double mean = v.Average();
        double sd = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
        return string.Create(Inv, $"{mean:0.0000} ± {sd:0.0000}");
    }

    /// <summary>
    /// <paramref name="value"/> in <paramref name="format"/> with its sign always written, and "+" for a value that rounds
    /// to zero: .NET's "+0.0;-0.0" writes a small negative value as "-+0.0", because the rounded zero takes the first
    /// section and keeps the minus sign.
    /// </summary>
    /// <remarks><paramref name="format"/> is an unsigned one-section format such as "0.0"; NaN and infinities are written as .NET writes them.</remarks>
    internal static string Signed(double value, string format)
    {
        if (!double.IsFinite(value)) return value.ToString(Inv);
        string magnitude = Math.Abs(value).ToString(format, Inv);
        bool zero = !magnitude.Any(c => c is >= '1' and <= '9');
        return (value < 0 && !zero ? "-" : "+") + magnitude;
    }

    /// <summary>The p-value and how it was obtained, or what made a test impossible.</summary>
    private static string P(TestResult r) => r.Method switch
    {
        TestMethod.AllDifferencesZero => "all differences zero: no test",
        TestMethod.ZeroVariance => $"every difference {Signed(r.MeanDifference, "0.0000")}: zero variance, no test",
        _ => (r.PValue < 0.0001 ? "p<0.0001" : string.Create(Inv, $"p={r.PValue:0.0000}")) + r.Method switch
        {
            TestMethod.StudentT => string.Create(Inv, $" (t, {r.N - 1} df)"),
            TestMethod.Exact => " (exact)",
            TestMethod.ExactPermutation => " (exact, ties/zeros)",
            _ => " (normal approx.)",
        },
    };
}
