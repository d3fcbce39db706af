using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EmbedRec.Evaluation;

namespace EmbedRec.Cli;

/// <summary><c>embedrec compare</c>: two sets of runs (e.g. one per seed), their means and a paired t-test over the pairs.</summary>
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
            var rows = new List<IReadOnlyList<string>>();
            foreach (var key in keys)
            {
                var x = a.Select(d => Test(d, key)).ToArray();
                var y = b.Select(d => Test(d, key)).ToArray();
                string t = "", w = "";
                if (x.Length >= 2)
                {
                    var tt = Significance.PairedTTest(y, x);
                    var wx = Significance.Wilcoxon(y, x);
                    t = string.Create(Inv, $"t={tt.Statistic:0.00}, p={tt.PValue:0.0000}");
                    w = string.Create(Inv, $"p={wx.PValue:0.0000}");
                }
                rows.Add([key, Summary(x), Summary(y), string.Create(Inv, $"{(y.Average() / x.Average() - 1) * 100:+0.0;-0.0}%"), t, w]);
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

    private static double Test(string dir, string key)
    {
        var path = Path.Combine(dir, "metrics.json");
        if (!File.Exists(path)) throw new FileNotFoundException($"'{dir}' has no metrics.json: the run did not finish.", path);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        if (!doc.RootElement.GetProperty("test").TryGetProperty(key, out var v))
            throw new KeyNotFoundException($"'{path}' has no test metric '{key}'.");
        return v.GetDouble();
    }
}
