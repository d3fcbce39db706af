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
/// <param name="BestEpoch">Best epoch so far.</param>
/// <param name="Best">Best validation value so far.</param>
/// <param name="BadEvals">Evaluations since the best.</param>
/// <param name="TrainSeconds">Training time so far.</param>
/// <param name="History">Records so far.</param>
public sealed record ResumeState(int Epoch, int BestEpoch, double Best, int BadEvals, double TrainSeconds, IReadOnlyList<EpochRecord> History);

/// <summary>
/// A run directory (DESIGN decision 10): <c>config.yaml</c> (written by the caller), <c>checkpoint.safetensors</c>
/// (the kept parameters), <c>last.safetensors</c>, <c>optimizer.safetensors</c> and <c>state.json</c> (for
/// <c>--resume</c>), <c>history.csv</c>, <c>metrics.json</c>, and <c>report.md</c> with SVG plots. Every file is
/// written to a temporary name and renamed; <c>metrics.json</c> is written last, so a run without it is
/// incomplete (interrupted or failed).
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
        return new RunDirectory(held.Directory) { _lock = held };
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

    /// <summary>Saves the kept state of a trained model (parameters, buffers, the objective's parameters).</summary>
    public void SaveCheckpoint(IReadOnlyList<KeyValuePair<string, Tensor>> state, string model, int epoch) =>
        SafeTensors.Save(Checkpoint, state, new Dictionary<string, string> { ["model"] = model, ["epoch"] = epoch.ToString(Inv) });

    /// <summary>Saves the training state, optimizer buffers and trainer state after an epoch.</summary>
    public void SaveResumeState(IReadOnlyList<KeyValuePair<string, Tensor>> trainingState, string model, Optimizer optimizer, ResumeState state)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(state);
        var meta = new Dictionary<string, string> { ["model"] = model, ["epoch"] = state.Epoch.ToString(Inv) };
        SafeTensors.Save(File("last.safetensors"), trainingState, meta);
        SafeTensors.Save(File("optimizer.safetensors"),
            optimizer.ExportState().Select(kv => new KeyValuePair<string, Tensor>(kv.Key, Tensor.FromArray(kv.Value, kv.Value.Length))),
            new Dictionary<string, string>(meta) { ["steps"] = optimizer.StepCount.ToString(Inv) });
        var json = JsonSerializer.Serialize(new
        {
            epoch = state.Epoch,
            best_epoch = state.BestEpoch,
            best = double.IsFinite(state.Best) ? state.Best : (double?)null,
            bad_evals = state.BadEvals,
            train_seconds = state.TrainSeconds,
            history = state.History.Select(h => new { h.Epoch, h.Loss, h.Seconds, h.LearningRate, h.Valid, h.Erank }),
        });
        AtomicFile.WriteAllText(File("state.json"), json);
    }

    /// <summary>Restores what <see cref="SaveResumeState"/> wrote.</summary>
    public ResumeState LoadResumeState(IReadOnlyList<KeyValuePair<string, Tensor>> trainingState, Optimizer optimizer)
    {
        var statePath = File("state.json");
        if (!System.IO.File.Exists(statePath)) throw new FileNotFoundException($"'{Path}' has no state.json to resume from; start the run without --resume.", statePath);
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(statePath));
        var root = doc.RootElement;
        int epoch = root.GetProperty("epoch").GetInt32();
        LoadInto(File("last.safetensors"), trainingState);
        var (entries, meta) = SafeTensors.Read(File("optimizer.safetensors"));
        if (!meta.TryGetValue("epoch", out var e) || e != epoch.ToString(Inv))
            throw new InvalidDataException($"'{Path}': optimizer.safetensors is from epoch {e ?? "?"}, state.json from epoch {epoch}; the run cannot be resumed consistently.");
        optimizer.ImportState(entries.Where(x => x.Tensor is not null).ToDictionary(x => x.Name, x => x.Tensor!.ToArray()), int.Parse(meta["steps"], Inv));
        var history = root.GetProperty("history").EnumerateArray().Select(h => new EpochRecord(
            h.GetProperty("Epoch").GetInt32(), h.GetProperty("Loss").GetDouble(), h.GetProperty("Seconds").GetDouble(), h.GetProperty("LearningRate").GetSingle(),
            h.GetProperty("Valid").ValueKind == JsonValueKind.Object ? h.GetProperty("Valid").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble()) : null,
            h.GetProperty("Erank").ValueKind == JsonValueKind.Number ? h.GetProperty("Erank").GetDouble() : null)).ToList();
        return new ResumeState(epoch, root.GetProperty("best_epoch").GetInt32(),
            root.GetProperty("best").ValueKind == JsonValueKind.Number ? root.GetProperty("best").GetDouble() : double.NegativeInfinity,
            root.GetProperty("bad_evals").GetInt32(), root.GetProperty("train_seconds").GetDouble(), history);
    }

    /// <summary>The values stored in a checkpoint for <paramref name="names"/>, in their order.</summary>
    public static float[][] ReadState(string path, IReadOnlyList<KeyValuePair<string, Tensor>> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var entries = SafeTensors.Read(path).Entries.Where(e => e.Tensor is not null).ToDictionary(e => e.Name, e => e.Tensor!);
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
        AtomicFile.WriteAllLines(File("history.csv"), csv);
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
            ["test"] = result.Test.Means,
            ["test_users"] = result.Test.Users.Length,
            ["item_smoothness"] = result.ItemSmoothness,
            ["item_erank"] = result.ItemErank,
            ["item_spectrum"] = result.ItemSpectrum,
        };
        if (record is not null) foreach (var (k, v) in record) metrics[k] = v;
        AtomicFile.WriteAllText(Metrics, JsonSerializer.Serialize(metrics, new JsonSerializerOptions { WriteIndented = true }));
    }
}
