using System.Text.Json;
using EmbedRec.Config;
using EmbedRec.Data;
using EmbedRec.Data.Registry;
using EmbedRec.Data.Splits;
using EmbedRec.Models;
using EmbedRec.Training;
using Xunit;

namespace EmbedRec.Tests.Training;

public sealed class TrainerTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static RunConfig Config(int epochs = 6)
    {
        var c = new RunConfig();
        c.Set("model", "mf");
        c.Set("dataset", "synthetic");
        c.Set("epochs", epochs.ToString());
        c.Set("learning_rate", "0.005");
        c.Set("model.init_std", "0.1");
        c.Set("train_batch_size", "1024");
        c.Set("topk", "10");
        c.Set("eval_step", "2");
        c.Set("track_erank", "true");
        return c;
    }

    private static DataSplit Split(RunConfig c) => Experiment.LoadSplit(RunSpec.Resolve(c).Data, new DatasetRegistry(".", []));

    [Fact]
    public void RunDirectoryHoldsEverything()
    {
        var c = Config();
        var run = new RunDirectory(Path.Combine(_dir.Path, "run"));
        var r = Experiment.Train(c, Split(c), run);
        foreach (var f in new[] { "config.yaml", "checkpoint.safetensors", "embeddings.safetensors", "resume.safetensors", "history.csv", "metrics.json", "report.md", "loss.svg", "valid.svg", "erank.svg", "spectrum.svg" })
            Assert.True(File.Exists(Path.Combine(run.Path, f)), $"missing {f}");
        var csv = File.ReadAllLines(Path.Combine(run.Path, "history.csv"));
        Assert.Equal(7, csv.Length);
        Assert.StartsWith("epoch,loss,seconds,learning_rate,valid_", csv[0]);
        using var metrics = JsonDocument.Parse(File.ReadAllText(run.Metrics));
        Assert.Equal(r.Test["ndcg@10"], metrics.RootElement.GetProperty("test").GetProperty("ndcg@10").GetDouble(), 10);
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(run.Path, "loss.svg")));
        Assert.All(r.History, h => Assert.InRange(h.Erank!.Value, 1, 64));
        // The final spectrum: as many values as dimensions, largest first, summing to 1, and erank is exp of its entropy.
        var spectrum = metrics.RootElement.GetProperty("item_spectrum").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        Assert.Equal(64, spectrum.Length); // the default embedding size
        Assert.Equal(1.0, spectrum.Sum(), 9);
        Assert.True(spectrum.Zip(spectrum.Skip(1)).All(x => x.First >= x.Second));
        Assert.Equal(Math.Exp(-spectrum.Where(x => x > 0).Sum(x => x * Math.Log(x))), metrics.RootElement.GetProperty("item_erank").GetDouble(), 9);
        // The run reopens from its directory alone and scores the same.
        var again = Experiment.Open(run.Path, new DatasetRegistry(".", [])).Evaluate(HeldOut.Test);
        Assert.Equal(r.Test["ndcg@10"], again["ndcg@10"], 10);
        // What the run depends on is recorded: objective, initialization, optimizer, engine.
        Assert.Equal("bpr", metrics.RootElement.GetProperty("objective").GetString());
        Assert.Equal("model", metrics.RootElement.GetProperty("init").GetString());
        Assert.False(string.IsNullOrEmpty(metrics.RootElement.GetProperty("engine").GetProperty("blas").GetString()));
    }

    [Fact]
    public void ResumedRunEqualsAnUninterruptedOne()
    {
        var full = Config(epochs: 6);
        var a = Experiment.Train(full, Split(full), new RunDirectory(Path.Combine(_dir.Path, "a")));
        var dir = Path.Combine(_dir.Path, "b");
        var part = Config(epochs: 6);
        using (var cts = new CancellationTokenSource())
        {
            var progress = new Cancel(cts, 3);
            Assert.ThrowsAny<OperationCanceledException>(() => Experiment.Train(part, Split(part), new RunDirectory(dir), false, progress, cts.Token));
        }
        Assert.False(new RunDirectory(dir).IsComplete);
        var b = Experiment.Train(part, Split(part), new RunDirectory(dir), resume: true);
        Assert.Equal(a.History.Select(h => h.Loss), b.History.Select(h => h.Loss));
        Assert.Equal(a.Test["ndcg@10"], b.Test["ndcg@10"], 12);
        // Whether the kept epoch's validation was scored in this process or again after a resume, it reads the same.
        foreach (var (key, value) in a.Valid!.Means) Assert.Equal(value, b.Valid!.Means[key], 12);
    }

    [Fact]
    public void EvaluationsReportTheirProgressBetweenTheEpochsTheyBelongTo()
    {
        // eval_step 2 over 4 epochs: validation after epochs 2 and 4, then the test; the kept epoch's validation is
        // reported from when it was scored, not scored again.
        var c = Config(epochs: 4).With("eval_batch_size", "64");
        var events = new List<TrainingEvent>();
        var run = new RunDirectory(Path.Combine(_dir.Path, "progress"));
        var r = Experiment.Train(c, Split(c), run, progress: new Collector<TrainingEvent>(events.Add));
        AssertValidationIsAFreshScore(r, run);
        var evals = events.OfType<EvaluationProgressed>().ToList();
        Assert.NotEmpty(evals);
        // Each evaluation starts at 0 and counts up to its total, and comes before the epoch line it belongs to.
        var starts = evals.Select((e, i) => (e, i)).Where(x => x.e.UsersDone == 0).Select(x => x.i).ToList();
        Assert.Equal([HeldOut.Valid, HeldOut.Valid, HeldOut.Test], starts.Select(i => evals[i].Part));
        for (int k = 0; k < starts.Count; k++)
        {
            var one = evals.Skip(starts[k]).Take((k + 1 < starts.Count ? starts[k + 1] : evals.Count) - starts[k]).ToList();
            Assert.True(one.Count >= 3, "blocks of 64 users over the synthetic data's users are several blocks");
            Assert.All(one.Zip(one.Skip(1)), p => Assert.True(p.Second.UsersDone > p.First.UsersDone));
            Assert.Equal(one[0].UsersTotal, one[^1].UsersDone);
        }
        int firstEval = events.FindIndex(e => e is EvaluationProgressed);
        int secondEpoch = events.FindIndex(e => e is EpochCompleted { Record.Epoch: 2 });
        Assert.True(firstEval > events.FindIndex(e => e is EpochCompleted { Record.Epoch: 1 }) && firstEval < secondEpoch);
    }

    [Fact]
    public void ValidUsersValidatesOnASeededSampleAndTestsEveryone()
    {
        var events = new List<TrainingEvent>();
        var c = Config(epochs: 4).With("valid_users", "40");
        var run = new RunDirectory(Path.Combine(_dir.Path, "sampled"));
        var r = Experiment.Train(c, Split(c), run, progress: new Collector<TrainingEvent>(events.Add));
        var whole = Config(epochs: 4);
        var w = Experiment.Train(whole, Split(whole), new RunDirectory(Path.Combine(_dir.Path, "whole")));
        int validUsers = w.Valid!.Users.Length;
        Assert.True(validUsers > 100, $"the synthetic data should have many more than 40 users with validation items, has {validUsers}");
        Assert.Equal(40, r.Valid!.Users.Length);
        Assert.Subset(w.Valid.Users.ToHashSet(), r.Valid.Users.ToHashSet());
        Assert.Equal(w.Test.Users, r.Test.Users);
        // Validation only reads the parameters, so training is the whole run's: the same losses epoch by epoch.
        Assert.Equal(w.History.Select(h => h.Loss), r.History.Select(h => h.Loss));
        Assert.Equal(EmbedRec.Evaluation.UserGroups.Sample(w.Valid.Users, 40, Trainer.ValidSampleSeed(2020)), r.Valid.Users);
        // Its validation is the kept parameters' score on those users.
        var opened = Experiment.Open(run.Path, new DatasetRegistry(".", []));
        var fresh = opened.Evaluate(HeldOut.Valid, opened.Spec.Trainer.Evaluation with { Users = r.Valid.Users });
        foreach (var (key, value) in fresh.Means) Assert.Equal(value, r.Valid.Means[key], 12);
        Assert.NotEqual(w.Valid.Means["ndcg@10"], r.Valid.Means["ndcg@10"]);
        using var metrics = JsonDocument.Parse(File.ReadAllText(run.Metrics));
        Assert.Equal(40, metrics.RootElement.GetProperty("valid_users").GetInt32());
        Assert.Contains(events.OfType<PhaseMessage>(), m => m.Text.Contains($"validating on 40 of the {validUsers:N0} users with validation items"));
        Assert.Contains("Validation scored 40 users", File.ReadAllText(Path.Combine(run.Path, "report.md")));
        Assert.True(events.OfType<EvaluationProgressed>().Where(e => e.Part == HeldOut.Valid).All(e => e.UsersTotal == 40));
        // A sample at least as large as the users is all of them.
        var all = Config(epochs: 2).With("valid_users", validUsers.ToString());
        Assert.Equal(validUsers, Experiment.Train(all, Split(all)).Valid!.Users.Length);
        Assert.Contains("'valid_users' must be", Assert.Throws<FormatException>(() => RunSpec.Resolve(Config().With("valid_users", "-1"))).Message);
    }

    /// <summary>The run's reported validation equals scoring its kept parameters again from the directory alone.</summary>
    private static void AssertValidationIsAFreshScore(TrainingResult r, RunDirectory run)
    {
        var fresh = Experiment.Open(run.Path, new DatasetRegistry(".", [])).Evaluate(HeldOut.Valid);
        Assert.Equal(fresh.Means.Keys.Order(), r.Valid!.Means.Keys.Order());
        foreach (var (key, value) in fresh.Means) Assert.Equal(value, r.Valid.Means[key], 12);
    }

    [Fact]
    public void AResumeAfterTheKeptEpochScoresItsValidationAgainAndReadsTheSame()
    {
        // Early stopping keeps an epoch before the last; cut the second run after the kept epoch, so the resumed
        // process never scored it and must score it again after restoring its parameters.
        var c = Config(epochs: 40).With("stopping_step", "2").With("learning_rate", "0.05");
        var a = Experiment.Train(c, Split(c), new RunDirectory(Path.Combine(_dir.Path, "whole")));
        int cut = a.BestEpoch + 1;
        Assert.True(cut < a.History[^1].Epoch, $"the kept epoch {a.BestEpoch} should come well before the last {a.History[^1].Epoch}");
        var dir = new RunDirectory(Path.Combine(_dir.Path, "cut"));
        using (var cts = new CancellationTokenSource())
            Assert.ThrowsAny<OperationCanceledException>(() => Experiment.Train(c, Split(c), dir, false, new Cancel(cts, cut), cts.Token));
        var b = Experiment.Train(c, Split(c), dir, resume: true);
        Assert.Equal(a.BestEpoch, b.BestEpoch);
        foreach (var (key, value) in a.Valid!.Means) Assert.Equal(value, b.Valid!.Means[key], 12);
        AssertValidationIsAFreshScore(b, dir);
    }

    private sealed class Cancel(CancellationTokenSource cts, int afterEpoch) : IProgress<TrainingEvent>
    {
        public void Report(TrainingEvent value)
        {
            if (value is EpochCompleted e && e.Record.Epoch == afterEpoch) cts.Cancel();
        }
    }

    [Fact]
    public void DivergenceNamesEpochAndBatch()
    {
        var c = Config(epochs: 3).With("learning_rate", "1e30").With("optimizer", "sgd").With("model.init_std", "10");
        var e = Assert.Throws<TrainingDivergedException>(() => Experiment.Train(c, Split(c)));
        Assert.Equal(1, e.Epoch);
        Assert.Contains("epoch 1, batch", e.Message);
    }

    [Fact]
    public void EarlyStoppingRestoresTheBestEpoch()
    {
        var c = Config(epochs: 40).With("stopping_step", "2").With("learning_rate", "0.05");
        var r = Experiment.Train(c, Split(c), new RunDirectory(Path.Combine(_dir.Path, "es")));
        var best = r.History.Where(h => h.Valid is not null).MaxBy(h => h.Valid!["ndcg@10"])!;
        Assert.Equal(best.Epoch, r.BestEpoch);
        Assert.Equal(best.Valid!["ndcg@10"], r.Valid!["ndcg@10"], 6);
        if (r.StoppedEarly) Assert.True(r.History.Count < 40);
        AssertValidationIsAFreshScore(r, new RunDirectory(Path.Combine(_dir.Path, "es")));
    }

    [Fact]
    public void ConfigErrorsNameKeyValueAndPlace()
    {
        FormatException Bad(RunConfig c) => Assert.Throws<FormatException>(() => RunSpec.Resolve(c));
        var yaml = _dir.File("c.yaml", "model: mf\ndataset: synthetic\nepochs: ten\n");
        var fromFile = new RunConfig();
        fromFile.LoadYaml(yaml);
        var e = Bad(fromFile);
        Assert.Contains("c.yaml:3", e.Message);
        Assert.Contains("'epochs' must be an integer, got 'ten'", e.Message);
        var typo = new RunConfig().With("model", "mf");
        typo.Assign("learning_rte=0.1");
        Assert.Contains("Did you mean 'learning_rate'?", Bad(typo).Message);
        Assert.Contains("unknown model 'svd++'", Bad(new RunConfig().With("model", "svd++").With("dataset", "synthetic")).Message);
        Assert.Contains("valid_metric 'ndcg@50'", Bad(new RunConfig().With("model", "mf").With("valid_metric", "ndcg@50")).Message);
        Assert.Contains("needs 'model'", Bad(new RunConfig()).Message);
        // Keys are namespaced: a model key at the top level is unknown, and under the model it is checked against that model.
        Assert.Contains("unknown key 'n_layers'", Bad(new RunConfig().With("model", "lightgcn").With("n_layers", "2")).Message);
        Assert.Contains("Did you mean 'model.n_layers'?", Bad(new RunConfig().With("model", "lightgcn").With("model.n_layer", "2")).Message);
        Assert.Contains("for model 'mf'", Bad(new RunConfig().With("model", "mf").With("model.n_layers", "2")).Message);
        Assert.Contains("'model.n_layers' must be in [0, 64], got 99", Bad(new RunConfig().With("model", "lightgcn").With("model.n_layers", "99")).Message);
        Assert.Contains("'epochs' must be in [0, 10000000], got 99999999999", Bad(new RunConfig().With("model", "mf").With("epochs", "99999999999")).Message);
        Assert.Contains("fitted in one pass", Bad(new RunConfig().With("model", "pop").With("objective", "bpr")).Message);
        var c = new RunConfig().With("model", "mf").With("topk", "5,10").With("dataset", "synthetic");
        var yamlText = RunSpec.Resolve(c).ToYaml();
        Assert.Contains("topk: [5, 10]", yamlText);
        var back = new RunConfig();
        back.LoadYaml(_dir.File("r.yaml", yamlText));
        Assert.Equal(yamlText, RunSpec.Resolve(back).ToYaml());
        Assert.Equal([5, 10], RunSpec.Resolve(back).Trainer.Evaluation.Cutoffs);
    }

    [Fact]
    public void YamlThatIsNotAMappingOfNamesIsNamed()
    {
        Assert.Contains("k.yaml:1", Assert.Throws<FormatException>(() => new RunConfig().LoadYaml(_dir.File("k.yaml", "? [a, b]\n: 1\n"))).Message);
        Assert.Contains("u.yaml", Assert.Throws<FormatException>(() => new RunConfig().LoadYaml(_dir.File("u.yaml", "topk: [5, 10\n"))).Message);
    }

    [Fact]
    public void OpeningARunWithoutCheckpointFails()
    {
        var dir = Path.Combine(_dir.Path, "empty");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.yaml"), "model: mf\ndataset: synthetic\n");
        var e = Assert.Throws<FileNotFoundException>(() => Experiment.Open(dir, new DatasetRegistry(".", [])));
        Assert.Contains("no checkpoint.safetensors", e.Message);
    }
}

public sealed class SevoTrainingTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("mf", "ii")]
    [InlineData("mf", "ui")]
    [InlineData("lightgcn", "ii")]
    [InlineData("lightgcn", "ui")]
    public void SevoTrainsEveryEmbeddingModelAndSmoothsItems(string model, string graph)
    {
        RunConfig Config(string g) => new RunConfig().With("model", model).With("dataset", "synthetic").With("epochs", "12").With("optimizer", "adamw")
            .With("learning_rate", "0.01").With("model.init_std", "0.01").With("eval_step", "4").With("topk", "10").With("optimizer.sevo.graph", g);
        var split = Experiment.LoadSplit(RunSpec.Resolve(Config("none")).Data, new DatasetRegistry(".", []));
        var plain = Experiment.Train(Config("none"), split, new RunDirectory(Path.Combine(_dir.Path, model + "-plain-" + graph)));
        var sevo = Experiment.Train(Config(graph), split, new RunDirectory(Path.Combine(_dir.Path, model + "-" + graph)));
        Assert.True(sevo.ItemSmoothness < plain.ItemSmoothness, $"J {plain.ItemSmoothness} → {sevo.ItemSmoothness}");
        Assert.Contains("SEvo over the", File.ReadAllText(Path.Combine(_dir.Path, model + "-" + graph, "report.md")));
    }

    [Fact]
    public void CategoryGraphNeedsCategoriesAndBadValuesAreNamed()
    {
        RunSpec Resolve(RunConfig c) => RunSpec.Resolve(c.With("model", "mf"));
        var c = new RunConfig().With("optimizer.sevo.graph", "genre");
        Assert.Contains("'optimizer.sevo.graph' must be one of none, ii, ui, category, got 'genre'", Assert.Throws<FormatException>(() => Resolve(c)).Message);
        Assert.Contains("'optimizer.sevo.beta'", Assert.Throws<FormatException>(() => Resolve(new RunConfig().With("optimizer.sevo.graph", "ii").With("optimizer.sevo.beta", "1.5"))).Message);
        Assert.Contains("'optimizer.sevo.layers' must be in [0, 64]", Assert.Throws<FormatException>(() => Resolve(new RunConfig().With("optimizer.sevo.graph", "ii").With("optimizer.sevo.layers", "-1"))).Message);
        var nested = _dir.File("n.yaml", "model: mf\noptimizer:\n  name: adamw\n  sevo:\n    graph: ui\n    beta: 0.9\n");
        var cfg = new RunConfig();
        cfg.LoadYaml(nested);
        Assert.Equal("adamw", RunSpec.Resolve(cfg).Optimizer.Registration.Name);
        Assert.Equal(0.9f, RunSpec.Resolve(cfg).Sevo.Options.Beta);
        var bad = _dir.File("b.yaml", "optimizer:\n  sevo:\n    betta: 0.9\n");
        var badConfig = new RunConfig().With("model", "mf");
        badConfig.LoadYaml(bad);
        Assert.Contains("Did you mean 'optimizer.sevo.beta'?", Assert.Throws<FormatException>(() => RunSpec.Resolve(badConfig)).Message);
    }
}
