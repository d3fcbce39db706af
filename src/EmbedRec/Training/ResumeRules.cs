using System.Globalization;
using EmbedRec.Config;

namespace EmbedRec.Training;

/// <summary>
/// What may change when a run is resumed. A resumed run must train exactly as the uninterrupted one would, so
/// every key keeps the value in the run's <c>config.yaml</c>, except <c>epochs</c>: it may be raised (or lowered,
/// down to the epochs already trained) while the run is unfinished and the learning rates do not depend on it.
/// Anything else is refused with one line naming where the value came from, never ignored.
/// </summary>
public static class ResumeRules
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// Throws <see cref="InvalidOperationException"/> (one line, naming <paramref name="source"/>) when a run saved
    /// as <paramref name="saved"/> cannot continue to <paramref name="options"/>' epochs: fewer than it trained, a
    /// changed count under an epoch-dependent schedule, more epochs for a finished run (<paramref name="complete"/>,
    /// whose results they would replace), or more than planned for one early stopping ended (they would be ignored).
    /// </summary>
    public static void CheckEpochs(ResumeState saved, TrainerOptions options, bool complete, string source)
    {
        ArgumentNullException.ThrowIfNull(saved);
        ArgumentNullException.ThrowIfNull(options);
        int epochs = options.Epochs;
        if (epochs < saved.Epoch)
            throw new InvalidOperationException($"{source}: the run has already trained {saved.Epoch} epochs, so it cannot be resumed to {epochs}.");
        if (epochs != saved.PlannedEpochs && options.Schedule is ScheduleKind.Cosine or ScheduleKind.CosineSteps)
            throw new InvalidOperationException($"{source}: the run was trained for {saved.PlannedEpochs} epochs with a {(options.Schedule == ScheduleKind.Cosine ? "cosine" : "cosine_steps")} schedule, whose learning rates depend on the epoch count; it can only be resumed to {saved.PlannedEpochs} epochs.");
        if (epochs > saved.PlannedEpochs && saved.StoppedEarly)
            throw new InvalidOperationException($"{source}: early stopping ended the run at epoch {saved.Epoch} (best epoch {saved.BestEpoch}), so more epochs would not train it; start a new run with another --out.");
        if (epochs > saved.Epoch && complete && !saved.StoppedEarly)
            throw new InvalidOperationException($"{source}: the run finished after {saved.Epoch} epochs (it has metrics.json); training it further would replace its results, so start a new run with another --out.");
    }

    /// <summary>
    /// The configuration to resume <paramref name="run"/> with: its <c>config.yaml</c>, with the values
    /// <paramref name="given"/> (flags, <c>--set</c>, config files) applied where they do not change the run and
    /// <c>epochs</c> where <see cref="CheckEpochs"/> allows it; any other different value is refused
    /// (<see cref="InvalidOperationException"/>, one line naming the flag or file line it came from).
    /// </summary>
    public static RunConfig Apply(RunDirectory run, RunConfig given, Registry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(given);
        if (!File.Exists(run.Config))
            throw new FileNotFoundException($"'{run.Path}' has no config.yaml, so it holds no run to resume (it was interrupted before the run started); train it again with --force.", run.Config);
        var saved = RecordedConfig.Read(run.Config);
        string reference = RunSpec.Resolve(saved, registry).ToYaml();
        var resume = run.PeekResume();
        if (resume is { Config: { } written })
        {
            // config.yaml must describe the run the resume state belongs to; only its epochs may have been changed (by an earlier --resume --epochs).
            var recorded = RecordedConfig.ReadText(written, "the configuration recorded in resume.safetensors");
            recorded.Set("epochs", saved.Get("epochs") ?? RunSpec.Resolve(saved, registry).Trainer.Epochs.ToString(Inv));
            var changed = FirstDifference(RunSpec.Resolve(recorded, registry).ToYaml(), reference);
            if (changed is not null)
                throw new InvalidDataException($"'{run.Config}' was changed after the run's last saved epoch ('{changed}'), so resuming would not continue the same run; restore it, or train again with --force.");
        }
        var result = saved.Clone();
        ConfigValue? epochs = null;
        foreach (var (key, value) in given.Values)
        {
            if (key == "epochs")
            {
                epochs = value;
                continue;
            }
            var trial = saved.Clone();
            trial.Set(key, value.Text, value.Where);
            if (!Same(trial, reference, registry))
                throw new InvalidOperationException($"{value.Where}: '{key}' = '{value.Text}' would change the run being resumed (it was trained with '{saved.Get(key) ?? "its default"}'); only epochs can change on --resume. Start a new run with another --out to change it.");
        }
        if (epochs is { } e)
        {
            result.Set("epochs", e.Text, e.Where);
            var options = RunSpec.Resolve(result, registry).Trainer;
            if (resume is { State: var state }) CheckEpochs(state, options, run.IsComplete, $"{e.Where} {options.Epochs.ToString(Inv)}");
        }
        return result;
    }

    private static string? FirstDifference(string a, string b)
    {
        var left = a.Split('\n');
        var right = b.Split('\n');
        for (int i = 0; i < Math.Max(left.Length, right.Length); i++)
        {
            string x = i < left.Length ? left[i] : "", y = i < right.Length ? right[i] : "";
            if (x != y) return y.Trim().Length > 0 ? y.Trim() : x.Trim();
        }
        return null;
    }

    private static bool Same(RunConfig trial, string reference, Registry? registry)
    {
        try
        {
            return RunSpec.Resolve(trial, registry).ToYaml() == reference;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
