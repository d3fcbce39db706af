using System.Globalization;
using System.Text;
using System.Text.Json;
using EmbedRec.Data;
using EmbedRec.Models;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Nn;
using EmbedRec.Tensors.Optim;
using EmbedRec.Tensors.Serialization;

namespace EmbedRec.Training;

/// <summary>Trainer state saved after every epoch so an interrupted run can resume.</summary>
/// <param name="Epoch">Last completed epoch.</param>
/// <param name="BestEpoch">Best epoch so far (0 before the first evaluation).</param>
/// <param name="Best">Best validation value so far.</param>
/// <param name="BadEvals">Evaluations since the best.</param>
/// <param name="TrainSeconds">Training time so far.</param>
/// <param name="History">Records so far.</param>
/// <param name="StoppedEarly">Whether early stopping ended training at <paramref name="Epoch"/>.</param>
/// <param name="PlannedEpochs">The epochs the run was configured for when the state was saved.</param>
/// <param name="BestParameters">The parameters and buffers of <paramref name="BestEpoch"/> (in <see cref="TrainableState.State"/> order) when it is not <paramref name="Epoch"/>, else null.</param>
public sealed record ResumeState(int Epoch, int BestEpoch, double Best, int BadEvals, double TrainSeconds, IReadOnlyList<EpochRecord> History,
    bool StoppedEarly = false, int PlannedEpochs = 0, IReadOnlyList<float[]>? BestParameters = null);

/// <summary>
/// A run directory (DESIGN decision 10): <c>config.yaml</c> (written by the caller), <c>checkpoint.safetensors</c>
/// (the kept parameters), <c>resume.safetensors</c> (everything <c>--resume</c> needs, one file), <c>history.csv</c>,
/// <c>metrics.json</c>, and <c>report.md</c> with SVG plots. Every file is written to a temporary name and renamed;
/// <c>metrics.json</c> is written last, so a run without it is incomplete (interrupted or failed). Safetensors files
/// carry a checksum and are refused at load when it does not match or when they hold NaN or infinite values.
/// </summary>
public sealed class RunDirectory : IDisposable
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private DirectoryLock? _lock;

    /// <summary>Opens (and creates) the directory without locking it, for reading; a writer uses <see cref="OpenForWriting"/>.</summary>
    public RunDirectory(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(Path);
    }

    /// <summary>
    /// Opens the directory for writing a run (<see cref="OwnedDirectory.Claim"/>): locked until
    /// <see cref="Dispose"/> or the end of the process, marked as a run directory, and for
    /// <see cref="ClaimMode.Replace"/> emptied of a previous run's files. Throws
    /// <see cref="DirectoryLockedException"/> when another process writes it and
    /// <see cref="ForeignDirectoryException"/> when it holds files EmbedRec did not write.
    /// </summary>
    public static RunDirectory OpenForWriting(string path, ClaimMode mode)
    {
        var held = OwnedDirectory.Claim(path, DirectoryKind.Run, mode);
        var run = new RunDirectory(held.Directory) { _lock = held };
        run.RemoveTemporaries();
        return run;
    }

    /// <summary>
    /// Called with a file's name (e.g. <c>resume.safetensors</c>) just before the run writes it. A test seam for
    /// fault injection: an exception thrown here stops the run at that write boundary as a crash would (the file is
    /// not written, everything before it is). Null (no call) unless set.
    /// </summary>
    internal Action<string>? BeforeWrite { get; set; }

    /// <summary>Reports to <see cref="BeforeWrite"/> that <paramref name="fileName"/> is about to be written.</summary>
    internal void Writing(string fileName) => BeforeWrite?.Invoke(fileName);

    // A killed writer leaves its temporary files (.name.xxxxxxxx.tmp); under the lock no other writer is alive, so they are garbage.
    private void RemoveTemporaries()
    {
        foreach (var entry in Directory.EnumerateFiles(Path))
            if (DirectoryKind.Run.IsTemporary(System.IO.Path.GetFileName(entry)) && new FileInfo(entry).LinkTarget is null) System.IO.File.Delete(entry);
    }

    /// <summary>Releases the write lock taken by <see cref="OpenForWriting"/> (nothing for a reader).</summary>
    public void Dispose() => _lock?.Dispose();

    /// <summary>The directory.</summary>
    public string Path { get; }

    /// <summary>The kept parameters.</summary>
    public string Checkpoint => File("checkpoint.safetensors");

    /// <summary>Metrics of the finished run.</summary>
    public string Metrics => File("metrics.json");

    /// <summary>The resolved configuration.</summary>
    public string Config => File("config.yaml");

    /// <summary>Whether the run finished (metrics.json exists).</summary>
    public bool IsComplete => System.IO.File.Exists(Metrics);

    private string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Everything <c>--resume</c> needs, in one file.</summary>
    public string ResumeFile => File(Training.ResumeFile.FileName);

    /// <summary>Saves the kept state of a trained model (parameters, buffers, the objective's parameters).</summary>
    public void SaveCheckpoint(IReadOnlyList<KeyValuePair<string, Tensor>> state, string model, int epoch)
    {
        Writing("checkpoint.safetensors");
        SafeTensors.Save(Checkpoint, state, new Dictionary<string, string> { ["model"] = model, ["epoch"] = epoch.ToString(Inv) });
    }

    /// <summary>Saves the training state, optimizer buffers and trainer state after an epoch, as one file replaced in one rename.</summary>
    public void SaveResumeState(TrainableState state, string model, Optimizer optimizer, ResumeState resume)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(resume);
        Writing(Training.ResumeFile.FileName);
        Training.ResumeFile.Write(ResumeFile, state, model, optimizer, resume, System.IO.File.Exists(Config) ? System.IO.File.ReadAllText(Config) : null);
    }

    /// <summary>
    /// Verifies what <see cref="SaveResumeState"/> wrote and loads it into <paramref name="state"/> and
    /// <paramref name="optimizer"/>; null when there is none (the run stopped before its first epoch ended).
    /// Throws <see cref="InvalidDataException"/>, changing nothing, when the file is damaged, was written for
    /// another model or configuration, or is the unverifiable resume state of an older EmbedRec.
    /// </summary>
    public ResumeState? LoadResumeState(TrainableState state, string model, Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(optimizer);
        return ThrowIfLegacy() ? Training.ResumeFile.Read(ResumeFile, state, model, optimizer) : null;
    }

    /// <summary>The trainer state of <see cref="ResumeFile"/> (verified in full, nothing loaded), or null when there is none.</summary>
    public ResumeState? PeekResumeState() => PeekResume()?.State;

    /// <summary>The trainer state and the config.yaml text it was saved with (verified, nothing loaded), or null when there is no resume file.</summary>
    internal (ResumeState State, string? Config)? PeekResume() => ThrowIfLegacy() ? Training.ResumeFile.ReadTrainerState(ResumeFile) : null;

    // Whether there is a resume file; throws when there is only an older version's.
    private bool ThrowIfLegacy()
    {
        if (System.IO.File.Exists(ResumeFile)) return true;
        var legacy = Training.ResumeFile.LegacyFiles.Where(f => System.IO.File.Exists(File(f))).ToList();
        if (legacy.Count > 0)
            throw new InvalidDataException($"'{Path}' holds the resume state of an older EmbedRec ({string.Join(", ", legacy)}), written as separate files that cannot be verified together; train the run again with --force.");
        return false;
    }

    /// <summary>The values stored in a checkpoint for <paramref name="names"/>, in their order; refuses a file without a matching checksum or with NaN or infinite values.</summary>
    public static float[][] ReadState(string path, IReadOnlyList<KeyValuePair<string, Tensor>> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var entries = SafeTensors.Read(path, SafeTensors.Checks.Checksum | SafeTensors.Checks.Finite).Entries.Where(e => e.Tensor is not null).ToDictionary(e => e.Name, e => e.Tensor!);
        return names.Select(kv => entries.TryGetValue(kv.Key, out var t) && t.Size == kv.Value.Size ? t.ToArray()
            : throw new InvalidDataException($"'{path}' has no tensor '{kv.Key}' of {kv.Value.Size} values.")).ToArray();
    }

    /// <summary>Copies the tensors stored in <paramref name="path"/> into <paramref name="state"/> (every name must be present, with its size).</summary>
    public static void LoadInto(string path, IReadOnlyList<KeyValuePair<string, Tensor>> state)
    {
        var values = ReadState(path, state);
        for (int i = 0; i < state.Count; i++) values[i].CopyTo(state[i].Value.Span);
    }

    /// <summary>Writes history.csv, the report with plots, and metrics.json (last).</summary>
    public void WriteResult(TrainingResult result, TrainerOptions options, IReadOnlyDictionary<string, object?>? record = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var validKeys = result.History.Where(h => h.Valid is not null).SelectMany(h => h.Valid!.Keys).Distinct().ToList();
        var csv = new List<string> { string.Join(",", new[] { "epoch", "loss", "seconds", "learning_rate" }.Concat(validKeys.Select(k => "valid_" + k)).Append("erank")) };
        foreach (var h in result.History)
            csv.Add(string.Join(",", new[] { h.Epoch.ToString(Inv), h.Loss.ToString("R", Inv), h.Seconds.ToString("0.###", Inv), h.LearningRate.ToString("R", Inv) }
                .Concat(validKeys.Select(k => h.Valid is not null && h.Valid.TryGetValue(k, out var v) ? v.ToString("R", Inv) : ""))
                .Append(h.Erank?.ToString("R", Inv) ?? "")));
        Writing("history.csv");
        AtomicFile.WriteAllLines(File("history.csv"), csv);
        Writing("report.md");
        Report.Write(Path, result, options, record);
        var metrics = new Dictionary<string, object?>
        {
            ["model"] = result.Model,
            ["best_epoch"] = result.BestEpoch,
            ["epochs_trained"] = result.History.Count,
            ["stopped_early"] = result.StoppedEarly,
            ["train_seconds"] = result.TrainSeconds,
            ["valid_metric"] = options.ValidMetric,
            ["valid"] = result.Valid?.Means,
            ["valid_users"] = result.Valid?.Users.Length,
            ["test"] = result.Test.Means,
            ["test_users"] = result.Test.Users.Length,
            ["item_smoothness"] = result.ItemSmoothness,
            ["item_erank"] = result.ItemErank,
            ["item_spectrum"] = result.ItemSpectrum,
        };
        if (record is not null) foreach (var (k, v) in record) metrics[k] = v;
        Writing("metrics.json");
        AtomicFile.WriteAllText(Metrics, JsonSerializer.Serialize(metrics, new JsonSerializerOptions { WriteIndented = true }));
    }
}
