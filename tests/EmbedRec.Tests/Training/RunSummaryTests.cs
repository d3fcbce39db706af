using EmbedRec.Config;
using EmbedRec.Data;
using EmbedRec.Data.Registry;
using EmbedRec.Training;
using Xunit;

namespace EmbedRec.Tests.Training;

public sealed class RunSummaryTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A finished run of the popularity model on the synthetic data, written by RunDirectory.WriteResult.</summary>
    private (string Dir, TrainingResult Result) FinishedRun()
    {
        var c = new RunConfig();
        c.Set("model", "pop");
        c.Set("dataset", "synthetic");
        var run = new RunDirectory(Path.Combine(_dir.Path, "run"));
        var r = Experiment.Train(c, Experiment.LoadSplit(RunSpec.Resolve(c).Data, new DatasetRegistry(".", [])), run);
        return (run.Path, r);
    }

    private string RunWith(string metricsJson)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_dir.Path, "hand" + Guid.NewGuid().ToString("N")[..6])).FullName;
        File.WriteAllText(Path.Combine(dir, RunSummary.FileName), metricsJson);
        return dir;
    }

    [Fact]
    public void ReadsWhatRunDirectoryWrites()
    {
        var (dir, r) = FinishedRun();
        var s = RunSummary.Read(dir);
        Assert.Equal("pop", s.Model);
        Assert.Equal(Path.Combine(dir, "metrics.json"), s.File);
        Assert.Equal(r.Test.Means.Count, s.Test.Count);
        foreach (var (k, v) in r.Test.Means) Assert.Equal(v, s.Test[k]);
        Assert.Equal(r.Test["ndcg@10"], s.TestMetric("ndcg@10"));
        Assert.Equal(r.BestEpoch, s.BestEpoch);
        Assert.Equal(r.History.Count, s.EpochsTrained);
        Assert.Equal(r.StoppedEarly, s.StoppedEarly);
        Assert.Equal(r.Test.Users.Length, s.TestUsers);
        Assert.Equal(r.Valid?.Means.Count, s.Valid?.Count);
    }

    [Fact]
    public void MissingMetricListsTheOnesThere()
    {
        var dir = RunWith("{\n  \"model\": \"mf\",\n  \"test\": {\n    \"ndcg@10\": 0.25,\n    \"recall@10\": 0.5\n  }\n}\n");
        var s = RunSummary.Read(dir);
        Assert.Null(s.BestEpoch);
        var e = Assert.Throws<KeyNotFoundException>(() => s.TestMetric("ndcg@20"));
        Assert.Equal($"{Path.Combine(dir, "metrics.json")}: no test metric 'ndcg@20'; it has ndcg@10, recall@10.", e.Message);
    }

    [Fact]
    public void TruncatedFileIsNamedAsTruncated()
    {
        var (dir, _) = FinishedRun();
        var path = Path.Combine(dir, "metrics.json");
        var text = File.ReadAllText(path);
        File.WriteAllText(path, text[..(text.Length / 2)]);
        var e = Assert.Throws<DataFormatException>(() => RunSummary.Read(dir));
        Assert.Equal(path, e.File);
        Assert.True(e.Line > 1, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.StartsWith(path + ":", e.Message);
    }

    [Fact]
    public void GarbageIsNamedAsCorrupt()
    {
        var e = Assert.Throws<DataFormatException>(() => RunSummary.Read(RunWith("{\n  \"model\": \"mf\",\n  test: 3\n}\n")));
        Assert.Equal(3, e.Line);
        Assert.Contains("not valid JSON", e.Message);
        e = Assert.Throws<DataFormatException>(() => RunSummary.Read(RunWith("\u0001\u0002PK binary")));
        Assert.Equal(1, e.Line);
        Assert.Contains("corrupt", e.Message);
        e = Assert.Throws<DataFormatException>(() => RunSummary.Read(RunWith("")));
        Assert.Contains("empty", e.Message);
        e = Assert.Throws<DataFormatException>(() => RunSummary.Read(RunWith("[1, 2]")));
        Assert.Contains("expected a JSON object, got array", e.Message);
    }

    [Fact]
    public void WrongOrMissingKeysAreNamedWithTheirLine()
    {
        var e = Assert.Throws<DataFormatException>(() => RunSummary.Read(RunWith("{\n  \"model\": \"mf\",\n  \"test\": {\n    \"ndcg@10\": \"high\"\n  }\n}")));
        Assert.Equal(4, e.Line);
        Assert.Contains("'test' metric 'ndcg@10' must be a number, got string \"high\"", e.Message);
        e = Assert.Throws<DataFormatException>(() => RunSummary.Read(RunWith("{\n  \"model\": \"mf\",\n  \"best_epoch\": 2.5,\n  \"test\": {}\n}")));
        Assert.Equal(3, e.Line);
        Assert.Contains("'best_epoch' must be an integer, got number 2.5", e.Message);
        e = Assert.Throws<DataFormatException>(() => RunSummary.Read(RunWith("{\n  \"model\": \"mf\",\n  \"valid\": null\n}")));
        Assert.Contains("no 'test'; it has model, valid", e.Message);
    }

    [Fact]
    public void UnfinishedRunSaysSo()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_dir.Path, "unfinished")).FullName;
        var e = Assert.Throws<FileNotFoundException>(() => RunSummary.Read(dir));
        Assert.Contains("has no metrics.json: the run did not finish", e.Message);
        Assert.Throws<DirectoryNotFoundException>(() => RunSummary.Read(Path.Combine(_dir.Path, "nowhere")));
    }
}
