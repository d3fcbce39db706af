using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Xunit;

namespace EmbedRec.Cli.Tests;

/// <summary>
/// Issue 15 §1 and §2 as the user meets them, in child processes: <c>--force</c> on folders EmbedRec did not
/// write, and two processes writing one run directory. Each test asserts what the user sees (exit code,
/// the one-line error) and that no user file and no completed result is lost. docs/reliability.md cites them.
/// </summary>
public sealed class ConcurrencyAndForceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("embedrec-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string At(params string[] parts) => Path.Combine([_dir, .. parts]);

    private ProcessStartInfo Start(string cwd, string[] args) => Embedrec.StartInfo(cwd, At("data"), args);

    private (int Code, string Out, string Err) RunIn(string cwd, params string[] args)
    {
        using var p = Process.Start(Start(cwd, args))!;
        return Finish(p);
    }

    private (int Code, string Out, string Err) Run(params string[] args) => RunIn(_dir, args);

    private static (int Code, string Out, string Err) Finish(Process p) => Embedrec.Finish(p);

    private static string Model(string runDir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "metrics.json")));
        return doc.RootElement.GetProperty("model").GetString()!;
    }

    [Fact]
    public void ForceOnTheWorkingDirectoryWithUserDataIsRefused()
    {
        // The first command, verbatim, in a folder holding the user's data.
        var work = At("work");
        Directory.CreateDirectory(Path.Combine(work, "raw"));
        File.WriteAllText(Path.Combine(work, "ratings.csv"), "u,i\n");
        File.WriteAllText(Path.Combine(work, "raw", "notes.txt"), "mine");
        var r = RunIn(work, "train", "--model", "pop", "--dataset", "synthetic", "--out", ".", "--force");
        Assert.Equal(1, r.Code);
        Assert.Contains("nothing was deleted", r.Err);
        Assert.Equal("u,i\n", File.ReadAllText(Path.Combine(work, "ratings.csv")));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(work, "raw", "notes.txt")));
        Assert.False(File.Exists(Path.Combine(work, "metrics.json")));
        var parent = RunIn(Path.Combine(work, "raw"), "train", "--model", "pop", "--dataset", "synthetic", "--out", "..", "--force");
        Assert.Equal(1, parent.Code);
        Assert.True(File.Exists(Path.Combine(work, "raw", "notes.txt")));
    }

    [Fact]
    public void ForceReplacesAPreviousRunButNotAUserFileOrTheWorkingDirectory()
    {
        Assert.Equal(0, Run("train", "--model", "mf", "--dataset", "synthetic", "--epochs", "1", "--out", "r").Code);
        Assert.True(File.Exists(At("r", "resume.safetensors")));
        var replaced = Run("train", "--model", "pop", "--dataset", "synthetic", "--out", "r", "--force");
        Assert.True(replaced.Code == 0, replaced.Err);
        Assert.Equal("pop", Model(At("r")));
        Assert.False(File.Exists(At("r", "resume.safetensors"))); // the mf run's resume state went with it

        File.WriteAllText(At("r", "notes.txt"), "mine");
        var refused = Run("train", "--model", "pop", "--dataset", "synthetic", "--out", "r", "--force");
        Assert.Equal(1, refused.Code);
        Assert.Contains("'notes.txt'", refused.Err);
        Assert.Contains("nothing was deleted", refused.Err);
        Assert.Equal("mine", File.ReadAllText(At("r", "notes.txt")));
        Assert.True(File.Exists(At("r", "metrics.json")));
        File.Delete(At("r", "notes.txt"));

        var inside = RunIn(At("r"), "train", "--model", "pop", "--dataset", "synthetic", "--out", ".", "--force");
        Assert.Equal(1, inside.Code);
        Assert.Contains("working directory", inside.Err);
        Assert.True(File.Exists(At("r", "metrics.json")));
        Assert.True(File.Exists(At("r", "checkpoint.safetensors")));

        Directory.CreateDirectory(At("mine"));
        File.WriteAllText(At("mine", "config.yaml"), "the user's own");
        var foreign = Run("train", "--model", "pop", "--dataset", "synthetic", "--out", "mine", "--force");
        Assert.Equal(1, foreign.Code);
        Assert.Contains("no .embedrec marker", foreign.Err);
        Assert.Equal("the user's own", File.ReadAllText(At("mine", "config.yaml")));
    }

    [Fact]
    public void DemoRefusesARunFolderItDidNotWriteBeforeTrainingAnything()
    {
        Directory.CreateDirectory(At("d", "lightgcn"));
        File.WriteAllText(At("d", "lightgcn", "notes.txt"), "mine");
        var r = Run("demo", "--out", "d");
        Assert.Equal(1, r.Code);
        Assert.Contains("no .embedrec marker", r.Err);
        Assert.DoesNotContain("training", r.Out);
        Assert.Equal("mine", File.ReadAllText(At("d", "lightgcn", "notes.txt")));
        Assert.False(Directory.Exists(At("d", "pop")));
    }

    [Fact]
    public void DataPrepareForceReplacesOnlyAPreparedSplit()
    {
        File.WriteAllLines(At("pairs.txt"), Enumerable.Range(0, 40).Select(k => string.Create(CultureInfo.InvariantCulture, $"u{k % 8} i{k % 13}")));
        string[] prepare = ["data", "prepare", "pairs.txt", "--format", "pairs", "--split", "random=0.2,0.1", "--out", "sp"];
        var first = Run(prepare);
        Assert.True(first.Code == 0, first.Err);
        var again = Run([.. prepare, "--force"]);
        Assert.True(again.Code == 0, again.Err);

        File.WriteAllText(At("sp", "notes.txt"), "mine");
        var refused = Run([.. prepare, "--force"]);
        Assert.Equal(1, refused.Code);
        Assert.Contains("'notes.txt'", refused.Err);
        Assert.Equal("mine", File.ReadAllText(At("sp", "notes.txt")));
        Assert.True(File.Exists(At("sp", "split.json")));

        Directory.CreateDirectory(At("mine"));
        File.WriteAllText(At("mine", "train.inter"), "the user's own");
        var foreign = Run("data", "prepare", "pairs.txt", "--format", "pairs", "--split", "random=0.2,0.1", "--out", "mine", "--force");
        Assert.Equal(1, foreign.Code);
        Assert.Equal("the user's own", File.ReadAllText(At("mine", "train.inter")));
    }

    [Fact]
    public async Task ASecondWriterIsRefusedWithThePidAndAKilledWriterLeavesNoLock()
    {
        // A real second process: the first trains until it is killed.
        using var first = Process.Start(Start(_dir, ["train", "--model", "mf", "--dataset", "synthetic", "--epochs", "100000",
            "--set", "stopping_step=100000", "--out", "r"]))!;
        var output = first.StandardOutput.ReadToEndAsync();
        var errors = first.StandardError.ReadToEndAsync();
        try
        {
            var pidFile = At("r", ".embedrec.pid");
            var wait = Stopwatch.StartNew();
            while (!(File.Exists(pidFile) && File.ReadAllText(pidFile).Trim() == first.Id.ToString(CultureInfo.InvariantCulture)))
            {
                if (first.HasExited) Assert.Fail($"the first writer exited early: {await errors}");
                Assert.True(wait.Elapsed < TimeSpan.FromMinutes(2), "the first writer did not lock its run directory");
                await Task.Delay(100);
            }
            var second = Run("train", "--model", "pop", "--dataset", "synthetic", "--out", "r", "--force");
            Assert.Equal(1, second.Code);
            Assert.Contains($"pid {first.Id}", second.Err);
            Assert.Single(second.Err.Trim().Split('\n'));
            Assert.False(first.HasExited);
        }
        finally
        {
            first.Kill(entireProcessTree: true);
            first.WaitForExit();
        }
        await output;
        await errors;
        var third = Run("train", "--model", "pop", "--dataset", "synthetic", "--out", "r", "--force");
        Assert.True(third.Code == 0, third.Err);
        Assert.Equal("pop", Model(At("r")));
    }

    [Fact]
    public void TwoWritersStartedTogetherLeaveOneConsistentRun()
    {
        // The race: both used to exit 0 with one run's metrics.json beside the other's checkpoint.
        var a = Process.Start(Start(_dir, ["train", "--model", "mf", "--dataset", "synthetic", "--epochs", "2", "--seed", "1", "--out", "r"]))!;
        var b = Process.Start(Start(_dir, ["train", "--model", "mf", "--dataset", "synthetic", "--epochs", "2", "--seed", "2", "--out", "r"]))!;
        (int Code, string Out, string Err) ra, rb;
        using (a) using (b) { ra = Finish(a); rb = Finish(b); }
        Assert.Equal(1, new[] { ra.Code, rb.Code }.Count(c => c == 0));
        var loser = ra.Code == 0 ? rb : ra;
        Assert.Equal(1, loser.Code);
        Assert.True(loser.Err.Contains("pid ") || loser.Err.Contains("exists"), loser.Err);
        var ev = Run("evaluate", "r");
        Assert.True(ev.Code == 0, ev.Err);
        using var doc = JsonDocument.Parse(File.ReadAllText(At("r", "metrics.json")));
        double ndcg = doc.RootElement.GetProperty("test").GetProperty("ndcg@10").GetDouble();
        Assert.Contains(ndcg.ToString("0.0000", CultureInfo.InvariantCulture), ev.Out);
    }

    [Fact]
    public void TwoRunsStartedTogetherComputeTheirLeporidVectorsOnceThroughTheSharedCache()
    {
        // Issue 14: the init cache is safe against two runs writing it at once. Two processes, one cache folder, the
        // same training data and Leporid parameters: one computes and writes each side, the other waits for the
        // entry and reads it; both finish, with the same vectors (so the same test metrics at the same seed).
        ProcessStartInfo Leporid(string outDir)
        {
            var psi = Start(_dir, ["train", "--model", "mf", "--dataset", "synthetic", "--epochs", "1", "--seed", "3", "--set", "init.name=leporid", "--out", outDir]);
            psi.Environment["EMBEDREC_CACHE"] = At("cache");
            psi.Environment["NO_COLOR"] = "1";
            return psi;
        }
        var a = Process.Start(Leporid("ra"))!;
        var b = Process.Start(Leporid("rb"))!;
        (int Code, string Out, string Err) ra, rb;
        using (a) using (b) { ra = Finish(a); rb = Finish(b); }
        Assert.True(ra.Code == 0, ra.Err);
        Assert.True(rb.Code == 0, rb.Err);
        foreach (var side in new[] { "user side", "item side" })
        {
            string[] lines = [.. new[] { ra.Out, rb.Out }.SelectMany(o => o.Split('\n')).Where(l => l.StartsWith($"leporid: {side}", StringComparison.Ordinal))];
            Assert.Equal(2, lines.Length);
            Assert.Equal(1, lines.Count(l => l.EndsWith("computed and written to the init cache", StringComparison.Ordinal)));
            Assert.Equal(1, lines.Count(l => l.EndsWith("from the init cache", StringComparison.Ordinal)));
        }
        using var da = JsonDocument.Parse(File.ReadAllText(At("ra", "metrics.json")));
        using var db = JsonDocument.Parse(File.ReadAllText(At("rb", "metrics.json")));
        Assert.Equal(da.RootElement.GetProperty("test").GetRawText(), db.RootElement.GetProperty("test").GetRawText());
        Assert.Equal(2, da.RootElement.GetProperty("init_sides").GetArrayLength());
    }
}
