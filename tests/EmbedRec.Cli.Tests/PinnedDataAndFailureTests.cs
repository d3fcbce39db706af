using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Xunit;

namespace EmbedRec.Cli.Tests;

/// <summary>
/// Issue 15 §5 (a run directory pins its data) and §6 (every failure the user can cause is one line and a
/// non-zero exit; a bug says it is one), as the user meets them: <c>embedrec</c> in a child process.
/// docs/reliability.md cites these tests.
/// </summary>
public sealed class PinnedDataAndFailureTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("embedrec-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private (int Code, string Out, string Err) RunIn(string cwd, params string[] args) => Embedrec.Run(cwd, Path.Combine(_dir, "data"), args);

    private (int Code, string Out, string Err) Run(params string[] args) => RunIn(_dir, args);

    /// <summary>A failure the user caused: exit 1, and stderr is exactly one "error:" line with no stack trace.</summary>
    private static string OneLineError((int Code, string Out, string Err) r)
    {
        Assert.True(r.Code == 1, $"exit {r.Code}: {r.Err}");
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, r.Err);
        Assert.StartsWith("error: ", lines[0]);
        Assert.DoesNotContain("   at ", r.Err);
        return lines[0].TrimEnd();
    }

    /// <summary>100 users with 12 timestamped ratings each, in user order.</summary>
    private void WriteRatings(string path)
    {
        var rng = new Random(1);
        var lines = new List<string> { "user,item,rating,timestamp" };
        for (int u = 0; u < 100; u++)
            for (int k = 0; k < 12; k++)
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"u{u},i{rng.Next(60)},{rng.Next(1, 6)},{1_000_000_000 + u * 100 + k}"));
        File.WriteAllLines(path, lines);
    }

    private string TrainOnRatings(string runName, string epochs = "2")
    {
        WriteRatings(Path.Combine(_dir, "ratings.csv"));
        var train = Run("train", "--model", "mf", "--dataset", "ratings.csv", "--set", "split=loo", "--epochs", epochs, "--out", runName);
        Assert.True(train.Code == 0, train.Err);
        return Path.Combine(_dir, runName);
    }

    [Fact]
    public void ARunRefusesDataThatChangedUnlessAskedAndFindsARelativePathFromAnotherFolder()
    {
        string run = TrainOnRatings("run");
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "data.json"))))
        {
            Assert.Equal("ratings.csv", doc.RootElement.GetProperty("dataset").GetString());
            Assert.Equal(Path.Combine(_dir, "ratings.csv"), doc.RootElement.GetProperty("location").GetString());
            Assert.Equal(1200, doc.RootElement.GetProperty("data").GetProperty("rows").GetInt32());
            Assert.Equal(100, doc.RootElement.GetProperty("split").GetProperty("test").GetInt32());
        }
        var here = Run("evaluate", "run");
        Assert.True(here.Code == 0, here.Err);
        Assert.DoesNotContain("note:", here.Out);

        // The dataset path is relative to where training ran; evaluate finds it from another folder.
        var elsewhere = Directory.CreateDirectory(Path.Combine(_dir, "elsewhere")).FullName;
        var away = RunIn(elsewhere, "evaluate", Path.Combine("..", "run"));
        Assert.True(away.Code == 0, away.Err);
        Assert.Equal(Metric(here.Out, "ndcg@10"), Metric(away.Out, "ndcg@10"));

        // Re-sorting the file (by item) changes the data as read and the split: refused, naming both.
        var path = Path.Combine(_dir, "ratings.csv");
        var rows = File.ReadAllLines(path);
        File.WriteAllLines(path, rows.Take(1).Concat(rows.Skip(1).OrderBy(l => l.Split(',')[1], StringComparer.Ordinal)));
        foreach (var refused in new[] { Run("evaluate", "run"), Run("recommend", "run", "--user", "u1") })
        {
            var line = OneLineError(refused);
            Assert.Contains($"The data of 'run' changed since it was trained: '{path}' as read has sha256", line);
            Assert.Contains("its split has sha256", line);
            Assert.Contains("pass --allow-data-change", line);
        }
        var allowed = Run("evaluate", "run", "--allow-data-change");
        Assert.True(allowed.Code == 0, allowed.Err);
        Assert.StartsWith($"note: the data of 'run' changed since it was trained: '{path}' as read has sha256", allowed.Out);
        Assert.Contains("using the data as it is now (--allow-data-change)", allowed.Out);
        Assert.Contains("ndcg@10", allowed.Out);

        // A run without data.json (older than pinning) opens, and says its data could not be checked.
        File.Delete(Path.Combine(run, "data.json"));
        File.WriteAllLines(path, rows);
        var old = Run("evaluate", "run");
        Assert.True(old.Code == 0, old.Err);
        Assert.StartsWith("note: 'run' has no data.json", old.Out);
    }

    [Fact]
    public void ARunRefusesItemCategoriesThatChanged()
    {
        // An ML-1M style folder: 40 users x 10 ratings over 30 movies, each movie with one or two genres.
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "ml")).FullName;
        var rng = new Random(3);
        File.WriteAllLines(Path.Combine(folder, "ratings.dat"), Enumerable.Range(0, 400).Select(r =>
            string.Create(CultureInfo.InvariantCulture, $"{r / 10 + 1}::{rng.Next(1, 31)}::{rng.Next(1, 6)}::{1_000_000_000 + r}")));
        string[] genres = ["Action", "Comedy", "Drama"];
        var movies = Enumerable.Range(1, 30).Select(m => $"{m}::Movie {m} (2000)::{genres[m % 3]}{(m % 4 == 0 ? "|" + genres[(m + 1) % 3] : "")}").ToArray();
        File.WriteAllLines(Path.Combine(folder, "movies.dat"), movies);
        var train = Run("train", "--model", "mf", "--dataset", "ml", "--set", "split=loo", "--epochs", "1", "--out", "mlrun");
        Assert.True(train.Code == 0, train.Err);
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "mlrun", "data.json"))))
            Assert.Equal(3, doc.RootElement.GetProperty("categories").GetProperty("categories").GetInt32());
        Assert.True(Run("evaluate", "mlrun").Code == 0);

        // One movie changes genre: the ratings and the split are the same, the category table is not.
        movies[6] = movies[6].Replace(genres[7 % 3], "Horror");
        File.WriteAllLines(Path.Combine(folder, "movies.dat"), movies);
        var line = OneLineError(Run("evaluate", "mlrun"));
        Assert.Contains("the item-category table is 4 categories on", line);
        Assert.DoesNotContain("as read", line);
        Assert.DoesNotContain("split", line);

        // A pin written before categories were pinned does not compare them.
        var pin = Path.Combine(_dir, "mlrun", "data.json");
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(pin))!.AsObject();
        node.Remove("categories");
        File.WriteAllText(pin, node.ToJsonString());
        var old = Run("evaluate", "mlrun");
        Assert.True(old.Code == 0, old.Err);
        Assert.DoesNotContain("note:", old.Out);
    }

    [Fact]
    public void AnInterruptedRunWithARelativeDatasetPathResumesFromAnotherFolder()
    {
        string run = TrainOnRatings("run");
        // Killed after its last epoch but before metrics.json, then resumed for one more epoch from a sibling folder:
        // 'ratings.csv' in config.yaml is relative to where training ran, and data.json recorded where that was.
        File.Delete(Path.Combine(run, "metrics.json"));
        var elsewhere = Directory.CreateDirectory(Path.Combine(_dir, "elsewhere")).FullName;
        var resumed = RunIn(elsewhere, "train", "--resume", "--out", Path.Combine("..", "run"), "--set", "epochs=3");
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Contains("resuming to 3 epochs instead of 2", resumed.Out);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
        Assert.Equal(3, doc.RootElement.GetProperty("epochs_trained").GetInt32());
        Assert.Contains("dataset: ratings.csv", File.ReadAllText(Path.Combine(run, "config.yaml")));
    }

    private static string Metric(string output, string name) =>
        output.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).First(f => f.Length == 2 && f[0] == name)[1];

    [Fact]
    public void NumericOptionsAreCheckedBeforeAnyDataIsReadAndLeaveNoRunDirectory()
    {
        Assert.Equal("error: --set epochs: 'epochs' must be in [0, 10000000], got 99999999999.",
            OneLineError(Run("train", "--model", "mf", "--dataset", "synthetic", "--set", "epochs=99999999999", "--out", "a")));
        Assert.Equal("error: --epochs: 'epochs' must be in [0, 10000000], got 99999999999.",
            OneLineError(Run("train", "--model", "mf", "--dataset", "synthetic", "--epochs", "99999999999", "--out", "b")));
        Assert.Equal("error: --learning-rate: 'learning_rate' must be a finite number, got 'fast'.",
            OneLineError(Run("train", "--model", "mf", "--dataset", "synthetic", "--learning-rate", "fast", "--out", "c")));
        foreach (var d in new[] { "a", "b", "c" }) Assert.False(Directory.Exists(Path.Combine(_dir, d)), d);
    }

    [Fact]
    public void YamlThatCannotBeReadNamesTheFileAndLine()
    {
        File.WriteAllText(Path.Combine(_dir, "complex.yaml"), "model: mf\n? [a, b]\n: 1\n");
        Assert.Equal("error: complex.yaml:2: a key must be a plain name, not a list or mapping.",
            OneLineError(Run("train", "--config", "complex.yaml", "--dataset", "synthetic", "--out", "r")));
        File.WriteAllText(Path.Combine(_dir, "open.yaml"), "model: mf\ntopk: [10, 20\n");
        Assert.StartsWith("error: open.yaml:3: ", OneLineError(Run("train", "--config", "open.yaml", "--dataset", "synthetic", "--out", "r")));
        Assert.False(Directory.Exists(Path.Combine(_dir, "r")));
    }

    [Fact]
    public void ATrainedRunsFailuresAreOneLine()
    {
        string run = TrainOnRatings("run", epochs: "1");
        Assert.Equal("error: --topk: 'topk' must be in [1, 100000], got 2147483647.", OneLineError(Run("evaluate", "run", "--topk", "2147483647")));
        Assert.Equal("error: --k must be a whole number from 1 to 1,000,000, got '2147483648' (see 'embedrec recommend --help').",
            OneLineError(Run("recommend", "run", "--user", "u1", "--k", "2147483648")));
        Assert.Equal("error: 'missing' does not exist; give the run directory 'embedrec train' wrote.", OneLineError(Run("evaluate", "missing")));
        Assert.False(Directory.Exists(Path.Combine(_dir, "missing")));
        File.WriteAllText(Path.Combine(run, "data.json"), "{\"format\": \"embedrec-data/1\", \"dataset\": ");
        Assert.StartsWith($"error: {Path.Combine(run, "data.json")}: line 1: not a valid data pin", OneLineError(Run("evaluate", "run")));

        // A truncated resume state: one line naming the file and a non-zero exit.
        File.Delete(Path.Combine(run, "metrics.json"));
        var state = Path.Combine(run, "resume.safetensors");
        var bytes = File.ReadAllBytes(state);
        File.WriteAllBytes(state, bytes[..(bytes.Length / 2)]);
        Assert.Contains("resume.safetensors", OneLineError(Run("train", "--out", "run", "--resume")));
    }

    [Fact]
    public void AnInternalErrorSaysItIsABugAndShowsTheTraceOnlyWithVerbose()
    {
        var verbose = new Option<bool>("--verbose") { Recursive = true };
        var root = new RootCommand { verbose };
        var crash = new Command("crash");
        crash.SetAction(_ => Terminal.Guard(() => throw new NullReferenceException("Object reference not set to an instance of an object.")));
        var user = new Command("user");
        user.SetAction(_ => Terminal.Guard(() => throw new ArgumentOutOfRangeException("k", 0, "The number of items must be between 1 and 1,000,000, got 0.")));
        root.Subcommands.Add(crash);
        root.Subcommands.Add(user);
        var saved = Console.Error;
        try
        {
            var err = new StringWriter();
            Console.SetError(err);
            Assert.Equal(Terminal.InternalErrorExit, Terminal.Invoke(root, verbose, ["crash"]));
            Assert.Equal("internal error (a bug in EmbedRec): NullReferenceException: Object reference not set to an instance of an object.; run with --verbose for the trace",
                err.ToString().TrimEnd());
            err.GetStringBuilder().Clear();
            Assert.Equal(Terminal.InternalErrorExit, Terminal.Invoke(root, verbose, ["crash", "--verbose"]));
            Assert.Contains("its trace follows", err.ToString());
            Assert.Contains("   at ", err.ToString());
            err.GetStringBuilder().Clear();
            Assert.Equal(1, Terminal.Invoke(root, verbose, ["user"]));
            Assert.Equal("error: The number of items must be between 1 and 1,000,000, got 0.", err.ToString().TrimEnd());
        }
        finally
        {
            Console.SetError(saved);
        }
    }
}
