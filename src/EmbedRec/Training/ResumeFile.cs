using System.Globalization;
using System.Text.Json;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Optim;
using EmbedRec.Tensors.Serialization;

namespace EmbedRec.Training;

/// <summary>
/// <c>resume.safetensors</c>: everything <c>--resume</c> needs as one file, written to a temporary name and
/// renamed once, so a crash leaves either the previous epoch's state or this one's, never a mix. It holds the
/// training state (<c>state/NAME</c>), the optimizer's buffers (<c>optimizer/KEY</c>), the state (parameters and buffers) of the best
/// epoch when that is not the last one (<c>best/NAME</c>), and the trainer state as JSON in the metadata; the
/// SafeTensors checksum covers all of it. Reading verifies the checksum, the format, the model, every name and
/// size, and that every value is finite, and refuses with one line naming the file otherwise.
/// </summary>
internal static class ResumeFile
{
    public const string FileName = "resume.safetensors";

    /// <summary>The files older versions wrote for resuming, one after another (not crash-consistent, never read now).</summary>
    public static readonly IReadOnlyList<string> LegacyFiles = ["state.json", "last.safetensors", "optimizer.safetensors"];

    private const string Format = "embedrec-resume/1";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Writes the file; <paramref name="config"/> is the run's config.yaml text, kept to detect a later change to it.</summary>
    public static void Write(string path, TrainableState state, string model, Optimizer optimizer, ResumeState resume, string? config)
    {
        var tensors = state.State.Select(kv => new KeyValuePair<string, Tensor>("state/" + kv.Key, kv.Value))
            .Concat(optimizer.ExportState().Select(kv => new KeyValuePair<string, Tensor>("optimizer/" + kv.Key, Tensor.FromArray(kv.Value, kv.Value.Length))));
        if (resume.BestParameters is { } best)
        {
            if (best.Count != state.State.Count) throw new ArgumentException($"The best state has {best.Count} tensors; the model has {state.State.Count}.");
            tensors = tensors.Concat(state.State.Select((p, i) => new KeyValuePair<string, Tensor>("best/" + p.Key, Tensor.FromArray(best[i], best[i].Length))));
        }
        var json = JsonSerializer.Serialize(new
        {
            epoch = resume.Epoch,
            planned_epochs = resume.PlannedEpochs,
            best_epoch = resume.BestEpoch,
            best = double.IsFinite(resume.Best) ? resume.Best : (double?)null,
            bad_evals = resume.BadEvals,
            stopped_early = resume.StoppedEarly,
            train_seconds = resume.TrainSeconds,
            history = resume.History.Select(h => new { h.Epoch, h.Loss, h.Seconds, h.LearningRate, h.Valid, h.Erank }),
        });
        var meta = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["model"] = model,
            ["epoch"] = resume.Epoch.ToString(Inv),
            ["steps"] = optimizer.StepCount.ToString(Inv),
            ["trainer"] = json,
        };
        if (config is not null) meta["config"] = config;
        SafeTensors.Save(path, tensors, meta);
    }

    /// <summary>The trainer state and the config.yaml text it was written with, if recorded (the file is verified in full).</summary>
    public static (ResumeState State, string? Config) ReadTrainerState(string path)
    {
        var (_, meta) = SafeTensors.Read(path, SafeTensors.Checks.Checksum | SafeTensors.Checks.Finite);
        return (ParseTrainer(path, meta), meta.TryGetValue("config", out var config) ? config : null);
    }

    /// <summary>Verifies the file against <paramref name="state"/> and <paramref name="optimizer"/>, then loads it into them.</summary>
    public static ResumeState Read(string path, TrainableState state, string model, Optimizer optimizer)
    {
        var (entries, meta) = SafeTensors.Read(path, SafeTensors.Checks.Checksum | SafeTensors.Checks.Finite);
        var resume = ParseTrainer(path, meta);
        if (!meta.TryGetValue("model", out var saved) || saved != model)
            throw new InvalidDataException($"'{path}' is the resume state of model '{saved ?? "?"}', not '{model}'.");
        if (!meta.TryGetValue("steps", out var s) || !int.TryParse(s, NumberStyles.None, Inv, out int steps))
            throw new InvalidDataException($"'{path}' does not record the optimizer's step count.");
        var tensors = entries.Where(e => e.Tensor is not null).ToDictionary(e => e.Name, e => e.Tensor!.ToArray());
        var unexpected = entries.Where(e => e.Tensor is null).Select(e => e.Name).FirstOrDefault();
        if (unexpected is not null) throw new InvalidDataException($"'{path}' holds '{unexpected}', which is not float32.");

        var values = Section(path, tensors, "state/", state.State.Select(kv => (kv.Key, kv.Value.Size)).ToList(), "the model");
        // The optimizer allocates its buffers lazily, so the file names them: each must belong to one of its parameters, with its size.
        var sizes = optimizer.ParameterNames.Select((n, i) => (n, optimizer.Parameters[i].Size)).ToDictionary(x => x.n, x => x.Size, StringComparer.Ordinal);
        var buffers = tensors.Keys.Where(k => k.StartsWith("optimizer/", StringComparison.Ordinal)).Select(k => k["optimizer/".Length..]).Order(StringComparer.Ordinal).ToList();
        foreach (var key in buffers)
        {
            int slash = key.IndexOf('/');
            if (slash < 0 || !sizes.TryGetValue(key[(slash + 1)..], out int size))
                throw new InvalidDataException($"'{path}' holds 'optimizer/{key}', which names no parameter of the optimizer; it was written for another configuration.");
            if (tensors["optimizer/" + key].Length != size)
                throw new InvalidDataException($"'{path}': 'optimizer/{key}' has {tensors["optimizer/" + key].Length} values, the parameter has {size}; it was written for another configuration.");
        }
        float[][]? best = null;
        if (tensors.Keys.Any(k => k.StartsWith("best/", StringComparison.Ordinal)) || (resume.BestEpoch != 0 && resume.BestEpoch != resume.Epoch))
            best = Section(path, tensors, "best/", state.State.Select(kv => (kv.Key, kv.Value.Size)).ToList(), "the best epoch's state");
        var stray = tensors.Keys.FirstOrDefault(k => !k.StartsWith("state/", StringComparison.Ordinal) && !k.StartsWith("optimizer/", StringComparison.Ordinal)
            && !k.StartsWith("best/", StringComparison.Ordinal));
        if (stray is not null) throw new InvalidDataException($"'{path}' holds '{stray}', which is not part of a resume state.");

        // Everything is verified; only now is anything changed.
        for (int i = 0; i < state.State.Count; i++) values[i].CopyTo(state.State[i].Value.Span);
        optimizer.ImportState(buffers.ToDictionary(k => k, k => tensors["optimizer/" + k], StringComparer.Ordinal), steps);
        return resume with { BestParameters = best };
    }

    /// <summary>The tensors under <paramref name="prefix"/>: exactly <paramref name="names"/> with their sizes, in their order.</summary>
    private static float[][] Section(string path, Dictionary<string, float[]> tensors, string prefix, List<(string Name, int Size)> names, string what)
    {
        var result = new float[names.Count][];
        for (int i = 0; i < names.Count; i++)
        {
            var (name, size) = names[i];
            if (!tensors.TryGetValue(prefix + name, out var v))
                throw new InvalidDataException($"'{path}' has no '{prefix}{name}' for {what}; it was written for another configuration.");
            if (v.Length != size)
                throw new InvalidDataException($"'{path}': '{prefix}{name}' has {v.Length} values, {what} has {size}; it was written for another configuration.");
            result[i] = v;
        }
        var known = names.Select(n => prefix + n.Name).ToHashSet(StringComparer.Ordinal);
        var extra = tensors.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && !known.Contains(k)).Order(StringComparer.Ordinal).FirstOrDefault();
        if (extra is not null) throw new InvalidDataException($"'{path}' holds '{extra}', which {what} does not have; it was written for another configuration.");
        return result;
    }

    private static ResumeState ParseTrainer(string path, IReadOnlyDictionary<string, string> meta)
    {
        if (!meta.TryGetValue("format", out var format) || format != Format)
            throw new InvalidDataException($"'{path}' is not an EmbedRec resume state (format '{format ?? "none"}', expected '{Format}').");
        if (!meta.TryGetValue("trainer", out var json)) throw new InvalidDataException($"'{path}' holds no trainer state.");
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var history = root.GetProperty("history").EnumerateArray().Select(h => new EpochRecord(
                h.GetProperty("Epoch").GetInt32(), h.GetProperty("Loss").GetDouble(), h.GetProperty("Seconds").GetDouble(), h.GetProperty("LearningRate").GetSingle(),
                h.GetProperty("Valid").ValueKind == JsonValueKind.Object ? h.GetProperty("Valid").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble()) : null,
                h.GetProperty("Erank").ValueKind == JsonValueKind.Number ? h.GetProperty("Erank").GetDouble() : null)).ToList();
            var resume = new ResumeState(root.GetProperty("epoch").GetInt32(), root.GetProperty("best_epoch").GetInt32(),
                root.GetProperty("best").ValueKind == JsonValueKind.Number ? root.GetProperty("best").GetDouble() : double.NegativeInfinity,
                root.GetProperty("bad_evals").GetInt32(), root.GetProperty("train_seconds").GetDouble(), history,
                root.GetProperty("stopped_early").GetBoolean(), root.GetProperty("planned_epochs").GetInt32());
            if (history.Count != resume.Epoch || history.Select(h => h.Epoch).Where((e, i) => e != i + 1).Any() || resume.BestEpoch < 0 || resume.BestEpoch > resume.Epoch)
                throw new InvalidDataException($"'{path}': the trainer state of epoch {resume.Epoch} is inconsistent (history of {history.Count} epochs, best epoch {resume.BestEpoch}).");
            return resume;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"'{path}': the trainer state is malformed ({e.Message}).", e);
        }
    }
}
