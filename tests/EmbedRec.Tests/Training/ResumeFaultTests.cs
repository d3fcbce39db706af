using EmbedRec.Config;
using EmbedRec.Data;
using EmbedRec.Data.Registry;
using EmbedRec.Data.Splits;
using EmbedRec.Evaluation;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Serialization;
using EmbedRec.Training;
using Xunit;

namespace EmbedRec.Tests.Training;

/// <summary>
/// Issue 15 §3: a run killed at every write boundary (each file it writes, in order, through
/// <see cref="RunDirectory.BeforeWrite"/>) and then resumed finishes with exactly the numbers of an
/// uninterrupted run, leaves no temporary file and keeps the user's files; damaged or inconsistent resume
/// state and checkpoints are refused with one line naming the file. docs/reliability.md cites these tests.
/// </summary>
public sealed class ResumeFaultTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>What a kill at a write boundary looks like to the test: the run stops before writing the file.</summary>
    private sealed class SimulatedCrash(string file) : Exception($"killed before writing {file}");

    private static RunConfig Config(bool earlyStop) => earlyStop
        ? Base(8).With("eval_step", "1").With("stopping_step", "1").With("learning_rate", "0.2")
        : Base(6);

    private static RunConfig Base(int epochs)
    {
        var c = new RunConfig();
        c.Set("model", "mf");
        c.Set("dataset", "synthetic");
        c.Set("epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        c.Set("learning_rate", "0.005");
        c.Set("model.init_std", "0.1");
        c.Set("train_batch_size", "1024");
        c.Set("topk", "10");
        c.Set("eval_step", "2");
        c.Set("track_erank", "true");
        return c;
    }

    private static DataSplit Split(RunConfig c) => Experiment.LoadSplit(RunSpec.Resolve(c).Data, new DatasetRegistry(".", []));

    private string Sub(string name) => Path.Combine(_dir.Path, name);

    /// <summary>Trains into a new directory, recording the files written in order.</summary>
    private (TrainingResult Result, List<string> Writes) Reference(RunConfig c, DataSplit split)
    {
        var writes = new List<string>();
        using var run = RunDirectory.OpenForWriting(Sub("reference"), ClaimMode.New);
        run.BeforeWrite = writes.Add;
        return (Experiment.Train(c, split, run), writes);
    }

    /// <summary>Trains into <paramref name="dir"/> and "kills" the run just before its write number <paramref name="at"/>.</summary>
    private static void TrainUntilKilled(RunConfig c, DataSplit split, string dir, int at, ClaimMode mode = ClaimMode.New, bool resume = false)
    {
        int n = 0;
        using var run = RunDirectory.OpenForWriting(dir, mode);
        run.BeforeWrite = f =>
        {
            if (n++ == at) throw new SimulatedCrash(f);
        };
        Assert.Throws<SimulatedCrash>(() => Experiment.Train(c, split, run, resume));
    }

    private static TrainingResult Resume(RunConfig c, DataSplit split, string dir)
    {
        using var run = RunDirectory.OpenForWriting(dir, ClaimMode.Continue);
        return Experiment.Train(c, split, run, resume: true);
    }

    private static void AssertSameRun(TrainingResult expected, TrainingResult actual, string expectedDir, string actualDir)
    {
        Assert.Equal(expected.History.Select(h => h.Loss), actual.History.Select(h => h.Loss));
        Assert.Equal(expected.History.Select(h => h.Valid?["ndcg@10"]), actual.History.Select(h => h.Valid?["ndcg@10"]));
        Assert.Equal(expected.BestEpoch, actual.BestEpoch);
        Assert.Equal(expected.StoppedEarly, actual.StoppedEarly);
        Assert.Equal(expected.Test.Means, actual.Test.Means);
        Assert.Equal(expected.Valid!.Means, actual.Valid!.Means);
        // The kept parameters on disk are the uninterrupted run's, byte for byte, and score the same.
        Assert.Equal(File.ReadAllBytes(Path.Combine(expectedDir, "checkpoint.safetensors")), File.ReadAllBytes(Path.Combine(actualDir, "checkpoint.safetensors")));
        Assert.Equal(expected.Test.Means, Experiment.Open(actualDir, new DatasetRegistry(".", [])).Evaluate(HeldOut.Test).Means);
    }

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(false)]
    [InlineData(true)]
    public void AKillAtEveryWriteBoundaryResumesToTheUninterruptedRun(bool earlyStop)
    {
        var c = Config(earlyStop);
        var split = Split(c);
        var (expected, writes) = Reference(c, split);
        Assert.Equal(earlyStop, expected.StoppedEarly);
        Assert.Equal(["checkpoint.safetensors", "embeddings.safetensors", "history.csv", "metrics.json", "report.md", "resume.safetensors"], writes.Distinct().Order(StringComparer.Ordinal), StringComparer.Ordinal);
        for (int at = 0; at < writes.Count; at++)
        {
            var dir = Sub($"killed-{at}");
            TrainUntilKilled(c, split, dir, at);
            Assert.False(new RunDirectory(dir).IsComplete);
            // A writer killed in the middle of the file leaves its temporary; the user's own files are never touched.
            var stray = Path.Combine(dir, $".{writes[at]}.0123abcd.tmp");
            File.WriteAllText(stray, "half a file");
            File.WriteAllText(Path.Combine(dir, "notes.tmp"), "mine");
            var resumed = Resume(c, split, dir);
            AssertSameRun(expected, resumed, Sub("reference"), dir);
            Assert.False(File.Exists(stray), $"kill before write {at} ({writes[at]}): the temporary was left");
            Assert.Equal("mine", File.ReadAllText(Path.Combine(dir, "notes.tmp")));
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void AResumedRunKilledAgainStillEndsAsTheUninterruptedOne()
    {
        var c = Config(earlyStop: false);
        var split = Split(c);
        var (expected, writes) = Reference(c, split);
        var dir = Sub("twice");
        TrainUntilKilled(c, split, dir, 2);
        TrainUntilKilled(c, split, dir, 3, ClaimMode.Continue, resume: true);
        AssertSameRun(expected, Resume(c, split, dir), Sub("reference"), dir);
        Assert.Contains("resume.safetensors", writes);
    }

    [Fact]
    public void MoreEpochsContinueAnInterruptedRunAsIfPlannedFromTheStart()
    {
        var longer = Config(earlyStop: false).With("epochs", "8");
        var split = Split(longer);
        var (expected, _) = Reference(longer, split);
        var dir = Sub("more");
        TrainUntilKilled(Config(earlyStop: false), split, dir, 4); // killed in epoch 4 of 6
        AssertSameRun(expected, Resume(longer, split, dir), Sub("reference"), dir);
    }

    [Fact]
    public void EpochsThatCannotApplyAreRefusedNotIgnored()
    {
        var c = Config(earlyStop: false);
        var split = Split(c);
        var dir = Sub("epochs");
        TrainUntilKilled(c, split, dir, 5);
        int done = new RunDirectory(dir).PeekResumeState()!.Epoch;
        var fewer = Assert.Throws<InvalidOperationException>(() => Resume(c.Clone().With("epochs", (done - 1).ToString(System.Globalization.CultureInfo.InvariantCulture)), split, dir));
        Assert.Contains($"already trained {done} epochs", fewer.Message);
        var cosine = Assert.Throws<InvalidOperationException>(() => ResumeRules.CheckEpochs(
            new RunDirectory(dir).PeekResumeState()!, RunSpec.Resolve(c.Clone().With("epochs", "9").With("lr_schedule", "cosine")).Trainer, false, "--epochs 9"));
        Assert.Contains("--epochs 9", cosine.Message);
        Assert.Contains("cosine", cosine.Message);
        Resume(c, split, dir);
        var finished = Assert.Throws<InvalidOperationException>(() => Resume(c.Clone().With("epochs", "9"), split, dir));
        Assert.Contains("metrics.json", finished.Message);
    }

    [Fact]
    public void FlagsThatWouldChangeTheRunAreRefusedByName()
    {
        var c = Config(earlyStop: false);
        var split = Split(c);
        var dir = Sub("flags");
        TrainUntilKilled(c, split, dir, 3);
        using var run = RunDirectory.OpenForWriting(dir, ClaimMode.Continue);
        var given = new RunConfig();
        given.Set("learning_rate", "0.01", "--learning-rate");
        var e = Assert.Throws<InvalidOperationException>(() => ResumeRules.Apply(run, given));
        Assert.StartsWith("--learning-rate: 'learning_rate' = '0.01' would change the run", e.Message);
        // The same value written differently changes nothing and is accepted; epochs is applied.
        var same = new RunConfig();
        same.Set("learning_rate", "0.0050", "--learning-rate");
        same.Set("epochs", "7", "--epochs");
        Assert.Equal("7", ResumeRules.Apply(run, same).Get("epochs"));
        // A config.yaml edited after the last saved epoch is refused too.
        File.WriteAllText(run.Config, File.ReadAllText(run.Config).Replace("learning_rate: 0.005", "learning_rate: 0.05", StringComparison.Ordinal));
        var edited = Assert.Throws<InvalidDataException>(() => ResumeRules.Apply(run, new RunConfig()));
        Assert.Contains("config.yaml' was changed", edited.Message);
    }

    [Fact]
    public void DamagedResumeStateIsRefusedAndNothingIsChanged()
    {
        var c = Config(earlyStop: false);
        var split = Split(c);
        var dir = Sub("damaged");
        TrainUntilKilled(c, split, dir, 5);
        var file = Path.Combine(dir, "resume.safetensors");
        var good = File.ReadAllBytes(file);
        var checkpoint = File.ReadAllBytes(Path.Combine(dir, "checkpoint.safetensors"));
        long header = BitConverter.ToInt64(good, 0);
        // A flipped byte anywhere (header length, metadata, tensor table, data), a truncated file, NaN values with a valid checksum.
        var damages = new List<(string What, byte[] Bytes)>();
        foreach (long at in new[] { 3L, 8 + header / 3, 8 + header - 20, 8 + header + 5, good.Length - 1 })
        {
            var flipped = (byte[])good.Clone();
            flipped[at] ^= 0x10;
            damages.Add(($"byte {at} flipped", flipped));
        }
        damages.Add(("truncated", good[..(good.Length / 2)]));
        var (entries, meta) = SafeTensors.Read(file);
        var nan = Path.Combine(_dir.Path, "nan.safetensors");
        SafeTensors.Save(nan, entries.Select(x => new KeyValuePair<string, Tensor>(x.Name, x.Name == "state/item.weight" ? WithNaN(x.Tensor!) : x.Tensor!)), meta);
        damages.Add(("NaN", File.ReadAllBytes(nan)));
        foreach (var (what, bytes) in damages)
        {
            File.WriteAllBytes(file, bytes);
            var e = Assert.Throws<InvalidDataException>(() => Resume(c, split, dir));
            Assert.Contains("resume.safetensors", e.Message);
            Assert.DoesNotContain('\n', e.Message);
            Assert.Equal(bytes, File.ReadAllBytes(file)); // refused before anything was written
            Assert.Equal(checkpoint, File.ReadAllBytes(Path.Combine(dir, "checkpoint.safetensors")));
            Assert.False(new RunDirectory(dir).IsComplete, what);
        }
        File.WriteAllBytes(file, good);
        Resume(c, split, dir);
    }

    private static Tensor WithNaN(Tensor t)
    {
        var values = t.ToArray();
        values[7] = float.NaN;
        return Tensor.FromArray(values, t.Shape.ToArray());
    }

    [Fact]
    public void DamagedOrNaNCheckpointsAreRefusedAtLoadNotScored()
    {
        var c = Config(earlyStop: false);
        var split = Split(c);
        var (_, _) = Reference(c, split);
        var path = Path.Combine(Sub("reference"), "checkpoint.safetensors");
        var good = File.ReadAllBytes(path);
        var flipped = (byte[])good.Clone();
        flipped[^10] ^= 0x01;
        File.WriteAllBytes(path, flipped);
        var e = Assert.Throws<InvalidDataException>(() => Experiment.Open(Sub("reference"), new DatasetRegistry(".", [])));
        Assert.Contains("checkpoint.safetensors' is damaged", e.Message);
        File.WriteAllBytes(path, good);
        var (cp, cpMeta) = SafeTensors.Read(path);
        SafeTensors.Save(path, cp.Select(x => new KeyValuePair<string, Tensor>(x.Name, x.Name == "item.weight" ? WithNaN(x.Tensor!) : x.Tensor!)), cpMeta);
        var nan = Assert.Throws<InvalidDataException>(() => Experiment.Open(Sub("reference"), new DatasetRegistry(".", [])));
        Assert.Contains("'item.weight' holds NaN at index 7", nan.Message);
    }

    [Fact]
    public void TheUnverifiableResumeFilesOfOlderVersionsAreRefused()
    {
        var c = Config(earlyStop: false);
        var split = Split(c);
        var dir = Sub("legacy");
        TrainUntilKilled(c, split, dir, 3);
        File.Delete(Path.Combine(dir, "resume.safetensors"));
        File.WriteAllText(Path.Combine(dir, "state.json"), "{\"epoch\": 2}");
        var e = Assert.Throws<InvalidDataException>(() => Resume(c, split, dir));
        Assert.Contains("older EmbedRec (state.json)", e.Message);
    }

    [Fact]
    public void ARunRecordedBeforeAKeyWithANewDefaultExistedResumesAndReopensAsItRan()
    {
        // A DLR2 run with SVD vectors written before model.freeze_embeddings existed trained its tables (no freeze list).
        // Read back, its config.yaml must keep doing so: the new default (auto) would freeze them, which would refuse the
        // resume state (its optimizer holds the tables) or silently change the run.
        var c = new RunConfig().With("model", "dlr2").With("dataset", "synthetic").With("epochs", "3").With("eval_step", "1")
            .With("model.dim", "4").With("model.window", "2").With("model.channels", "2").With("model.head_layers", "8").With("topk", "10")
            .With("init", "svd").With("init.cache", "false").With("model.freeze_embeddings", "false");
        var split = Split(c);
        var (expected, writes) = Reference(c, split);
        var dir = Sub("before-the-key");
        TrainUntilKilled(c, split, dir, writes.IndexOf("resume.safetensors") + 1);
        var config = Path.Combine(dir, "config.yaml");
        var lines = File.ReadAllLines(config);
        Assert.Single(lines, l => l.Trim().StartsWith("freeze_embeddings:", StringComparison.Ordinal) && l.Contains("false", StringComparison.Ordinal));
        File.WriteAllLines(config, lines.Where(l => !l.Contains("freeze_embeddings", StringComparison.Ordinal)));

        var read = RecordedConfig.Read(config);
        Assert.Equal("false", read.Get("model.freeze_embeddings"));
        Assert.Contains("written before 'model.freeze_embeddings' existed", read.Values["model.freeze_embeddings"].Where);
        Assert.Empty(RunSpec.Resolve(read).Frozen);
        // What `train --resume` does: the recorded configuration with nothing changed, then the run continues as it was.
        RunConfig applied;
        using (var run = RunDirectory.OpenForWriting(dir, ClaimMode.Continue)) applied = ResumeRules.Apply(run, new RunConfig());
        AssertSameRun(expected, Resume(applied, split, dir), Sub("reference"), dir);
        // Other models, and files that have the key, are read as written.
        var mf = RecordedConfig.ReadText("model:\n  name: mf\n", "mf.yaml");
        Assert.Null(mf.Get("model.freeze_embeddings"));
        Assert.Equal("true", RecordedConfig.ReadText("model:\n  name: dlr2\n  freeze_embeddings: true\n", "d.yaml").Get("model.freeze_embeddings"));
    }
}
