using System.Diagnostics;
using Xunit;

namespace EmbedRec.Cli.Tests;

/// <summary>The embedrec command as a user runs it: a child process, its output and exit code.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("embedrec-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private (int Code, string Out, string Err) Run(params string[] args) => Embedrec.Run(_dir, Path.Combine(_dir, "data"), args);

    [Fact]
    public void InfoShowsTheEngine()
    {
        var (code, output, _) = Run("info");
        Assert.Equal(0, code);
        Assert.Contains("BLAS:", output);
        Assert.Contains("SIMD:", output);
        Assert.Contains("Threads:", output);
    }

    [Fact]
    public void DemoComparesFiveModels()
    {
        var (code, output, err) = Run("demo", "--out", "demo");
        Assert.True(code == 0, err);
        foreach (var m in new[] { "pop", "itemknn", "ease", "mf", "lightgcn" }) Assert.Contains(m, output);
        Assert.Contains("NDCG@10", output);
        Assert.True(File.Exists(Path.Combine(_dir, "demo", "lightgcn", "metrics.json")));
    }

    [Fact]
    public void TrainEvaluateRecommendRoundTrip()
    {
        var (code, output, err) = Run("train", "--model", "mf", "--dataset", "synthetic", "--epochs", "4", "--set", "model.init_std=0.1", "--set", "learning_rate=0.01", "--out", "run");
        Assert.True(code == 0, err);
        Assert.Contains("ndcg@10", output);
        var ev = Run("evaluate", "run", "--split", "valid");
        Assert.True(ev.Code == 0, ev.Err);
        Assert.Contains("ndcg@10", ev.Out);
        var capped = Run("evaluate", "run", "--metrics", "capped_recall,ndcg", "--topk", "20");
        Assert.True(capped.Code == 0, capped.Err);
        Assert.Contains("capped_recall@20", capped.Out);
        Assert.DoesNotContain("ndcg@10", capped.Out);
        var badMetric = Run("evaluate", "run", "--metrics", "recal");
        Assert.Equal(1, badMetric.Code);
        Assert.Contains("Unknown metric 'recal'", badMetric.Err);
        var tail = Run("evaluate", "run", "--tail-users");
        Assert.Contains("tail users", tail.Out);
        var longer = Run("evaluate", "run", "--min-train-items", "3", "--max-train-items", "1000");
        Assert.True(longer.Code == 0, longer.Err);
        Assert.Contains("(3–1000 training items)", longer.Out);
        var empty = Run("evaluate", "run", "--min-train-items", "5", "--max-train-items", "2");
        Assert.Equal(1, empty.Code);
        Assert.Contains("--max-train-items 2 is below --min-train-items 5", empty.Err);
        var rec = Run("recommend", "run", "--user", "u7", "--k", "3");
        Assert.True(rec.Code == 0, rec.Err);
        Assert.Contains("Top 3 for user 'u7'", rec.Out);
        var again = Run("train", "--model", "mf", "--dataset", "synthetic", "--epochs", "1", "--out", "run");
        Assert.Equal(1, again.Code);
        Assert.Contains("exists", again.Err);
    }

    [Fact]
    public void BadInputIsExplained()
    {
        File.WriteAllText(Path.Combine(_dir, "bad.yaml"), "model: mf\ndataset: synthetic\nlearning_rate: fast\n");
        var bad = Run("train", "--config", "bad.yaml", "--out", "badrun");
        Assert.Equal(1, bad.Code);
        Assert.Contains("bad.yaml:3: 'learning_rate' must be a finite number, got 'fast'", bad.Err);
        Assert.False(File.Exists(Path.Combine(_dir, "badrun", "metrics.json")));
        var model = Run("train", "--model", "svdpp", "--dataset", "synthetic", "--out", "m");
        Assert.Equal(1, model.Code);
        Assert.Contains("unknown model 'svdpp'", model.Err);
        Assert.False(File.Exists(Path.Combine(_dir, "m", "metrics.json")));
        Directory.CreateDirectory(Path.Combine(_dir, "nockpt"));
        File.WriteAllText(Path.Combine(_dir, "nockpt", "config.yaml"), "model: mf\ndataset: synthetic\n");
        var ev = Run("evaluate", "nockpt");
        Assert.Equal(1, ev.Code);
        Assert.Contains("no checkpoint.safetensors", ev.Err);
        var ds = Run("data", "stats", "netflix-prize");
        Assert.Equal(1, ds.Code);
        Assert.Contains("Known datasets", ds.Err);
        var typo = Run("train", "--model", "mf", "--dataset", "synthetic", "--set", "epoch=3");
        Assert.Contains("Did you mean 'epochs'?", typo.Err);
    }

    [Fact]
    public void CompareReportsMeansAndATest()
    {
        foreach (var m in new[] { "pop", "itemknn" })
            for (int seed = 0; seed < 2; seed++)
                Assert.Equal(0, Run("train", "--model", m, "--dataset", "synthetic", "--seed", seed.ToString(), "--out", $"{m}{seed}").Code);
        var c = Run("compare", "--baseline", "pop0", "pop1", "--method", "itemknn0", "itemknn1", "--metric", "ndcg@10");
        Assert.True(c.Code == 0, c.Err);
        Assert.Contains("paired t-test", c.Out);
        Assert.Contains("ndcg@10", c.Out);
        var bad = Run("compare", "--baseline", "pop0", "--method", "itemknn0", "itemknn1");
        Assert.Equal(1, bad.Code);
        Assert.Contains("compared in pairs", bad.Err);
    }

    [Fact]
    public void CompareNamesEachTestMethodAndACorruptRun()
    {
        // Issue 15 §7's five seeds: tied differences, so the Wilcoxon p-value is exact (0.0625), not the normal 0.0422.
        double[] baseline = [0.5, 0.25, 0.75, 0.125, 0.375], method = [0.515625, 0.265625, 0.78125, 0.171875, 0.4375];
        for (int i = 0; i < 5; i++)
        {
            WriteMetrics($"b{i}", "pop", baseline[i]);
            WriteMetrics($"m{i}", "mf", method[i]);
        }
        string[] args = ["compare", "--baseline", "b0", "b1", "b2", "b3", "b4", "--method", "m0", "m1", "m2", "m3", "m4"];
        var c = Run(args);
        Assert.True(c.Code == 0, c.Err);
        Assert.Contains("p=0.0625 (exact, ties/zeros)", c.Out);
        Assert.Contains("(t, 4 df)", c.Out);
        var same = Run("compare", "--baseline", "b0", "b1", "--method", "b0", "b1");
        Assert.Contains("all differences zero: no test", same.Out);

        var path = Path.Combine(_dir, "m2", "metrics.json");
        File.WriteAllText(path, File.ReadAllText(path)[..30]);
        var bad = Run(args);
        Assert.Equal(1, bad.Code);
        Assert.Equal($"error: {path}:3: the JSON ends early: the file is truncated.", bad.Err.Trim());
    }

    [Theory]
    [InlineData(-0.00001, "+0.0")]
    [InlineData(0.0, "+0.0")]
    [InlineData(0.04, "+0.0")]
    [InlineData(-0.05, "-0.1")]
    [InlineData(7.449, "+7.4")]
    [InlineData(-12.25, "-12.3")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    public void SignedGainWritesOneSignAndNoNegativeZero(double value, string expected) =>
        Assert.Equal(expected, CompareCommand.Signed(value, "0.0"));

    [Fact]
    public void CompareWritesAGainThatRoundsToZeroAsPlusZero()
    {
        // 0.1 against 0.099999: a gain of -0.001%, which .NET's own "+0.0;-0.0" wrote as "-+0.0%".
        WriteMetrics("z0", "pop", 0.1);
        WriteMetrics("z1", "mf", 0.099999);
        var c = Run("compare", "--baseline", "z0", "--method", "z1");
        Assert.True(c.Code == 0, c.Err);
        Assert.Contains("+0.0%", c.Out);
        Assert.DoesNotContain("-+", c.Out);
    }

    private void WriteMetrics(string run, string model, double ndcg)
    {
        Directory.CreateDirectory(Path.Combine(_dir, run));
        File.WriteAllText(Path.Combine(_dir, run, "metrics.json"),
            $"{{\n  \"model\": \"{model}\",\n  \"test\": {{\n    \"ndcg@10\": {ndcg.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}\n  }}\n}}\n");
    }

    [Fact]
    public void UnknownUserIsNamed()
    {
        Assert.Equal(0, Run("train", "--model", "pop", "--dataset", "synthetic", "--out", "pop").Code);
        var rec = Run("recommend", "pop", "--user", "nobody");
        Assert.Equal(1, rec.Code);
        Assert.Contains("User 'nobody' is not in the data", rec.Err);
    }
}
