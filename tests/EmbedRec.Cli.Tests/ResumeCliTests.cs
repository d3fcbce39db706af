using System.Diagnostics;
using System.Text.Json;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Serialization;
using Xunit;

namespace EmbedRec.Cli.Tests;

/// <summary>
/// Issue 15 §3 as the user meets it, in child processes: what <c>train --resume</c> does with flags and with
/// damaged resume state, and what <c>evaluate</c> does with a damaged checkpoint. Each asserts the exit code,
/// the one-line message and that the run's files are left as they were. docs/reliability.md cites them.
/// </summary>
public sealed class ResumeCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("embedrec-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string At(params string[] parts) => Path.Combine([_dir, .. parts]);

    private (int Code, string Out, string Err) Run(params string[] args) => Embedrec.Run(_dir, At("data"), args);

    private static void AssertOneLineError((int Code, string Out, string Err) r, string contains)
    {
        Assert.Equal(1, r.Code);
        Assert.StartsWith("error: ", r.Err);
        Assert.Single(r.Err.TrimEnd('\n').Split('\n'));
        Assert.Contains(contains, r.Err);
    }

    private static int Epochs(string runDir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "metrics.json")));
        return doc.RootElement.GetProperty("epochs_trained").GetInt32();
    }

    private Dictionary<string, byte[]> Snapshot(string dir) =>
        Directory.GetFiles(dir).Where(f => !Path.GetFileName(f).StartsWith(".embedrec", StringComparison.Ordinal)).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

    [Fact]
    public void FlagsGivenWithResumeApplyOrAreRefusedByName()
    {
        var trained = Run("train", "--model", "mf", "--dataset", "synthetic", "--epochs", "2", "--set", "eval_step=1", "--out", "r");
        Assert.True(trained.Code == 0, trained.Err);
        var finished = Snapshot(At("r"));

        AssertOneLineError(Run("train", "--resume", "--out", "r", "--learning-rate", "0.5"), "--learning-rate: 'learning_rate' = '0.5' would change the run");
        AssertOneLineError(Run("train", "--resume", "--out", "r", "--set", "model.embedding_size=8"), "--set model.embedding_size");
        AssertOneLineError(Run("train", "--resume", "--out", "r", "--force"), "--force cannot be combined with --resume");
        // A finished run is not extended: that would replace its results.
        AssertOneLineError(Run("train", "--resume", "--out", "r", "--epochs", "3"), "metrics.json");
        Assert.Equal(finished, Snapshot(At("r")));

        // Killed after its last epoch but before metrics.json: more epochs apply, and config.yaml says so.
        File.Delete(At("r", "metrics.json"));
        AssertOneLineError(Run("train", "--resume", "--out", "r", "--epochs", "1"), "already trained 2 epochs");
        var more = Run("train", "--resume", "--out", "r", "--set", "epochs=3");
        Assert.True(more.Code == 0, more.Err);
        Assert.Contains("resuming to 3 epochs instead of 2", more.Out);
        Assert.Equal(3, Epochs(At("r")));
        Assert.Contains("epochs: 3", File.ReadAllText(At("r", "config.yaml")));
    }

    [Fact]
    public void DamagedRunFilesAreRefusedWithOneLineNamingTheFile()
    {
        Assert.Equal(0, Run("train", "--model", "mf", "--dataset", "synthetic", "--epochs", "2", "--out", "r").Code);
        var checkpoint = At("r", "checkpoint.safetensors");
        var good = File.ReadAllBytes(checkpoint);

        var flipped = (byte[])good.Clone();
        flipped[^3] ^= 0x40;
        File.WriteAllBytes(checkpoint, flipped);
        AssertOneLineError(Run("evaluate", "r"), "checkpoint.safetensors' is damaged");

        var (entries, meta) = SafeTensors.Read(checkpoint.Replace("checkpoint", "resume", StringComparison.Ordinal));
        File.WriteAllBytes(checkpoint, good);
        var (cp, cpMeta) = SafeTensors.Read(checkpoint);
        SafeTensors.Save(checkpoint, cp.Select(e => new KeyValuePair<string, Tensor>(e.Name, e.Name == "user.weight" ? Poisoned(e.Tensor!) : e.Tensor!)), cpMeta);
        AssertOneLineError(Run("evaluate", "r"), "'user.weight' holds NaN");
        File.WriteAllBytes(checkpoint, good);

        // The resume state, truncated as a full disk would leave it (after the run lost metrics.json).
        File.Delete(At("r", "metrics.json"));
        var resume = At("r", "resume.safetensors");
        var whole = File.ReadAllBytes(resume);
        File.WriteAllBytes(resume, whole[..(whole.Length / 3)]);
        var before = Snapshot(At("r"));
        AssertOneLineError(Run("train", "--resume", "--out", "r"), "resume.safetensors");
        Assert.Equal(before, Snapshot(At("r")));
        File.WriteAllBytes(resume, whole);
        Assert.Equal(0, Run("train", "--resume", "--out", "r").Code);
        Assert.Equal(0, Run("evaluate", "r").Code);
        Assert.NotEmpty(entries);
        Assert.Equal("mf", meta["model"]);
    }

    private static Tensor Poisoned(Tensor t)
    {
        var v = t.ToArray();
        v[0] = float.NaN;
        return Tensor.FromArray(v, t.Shape.ToArray());
    }
}
