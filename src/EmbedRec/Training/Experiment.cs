using EmbedRec.Config;
using EmbedRec.Data;
using EmbedRec.Data.Registry;
using EmbedRec.Data.Splits;
using EmbedRec.Models;

namespace EmbedRec.Training;

/// <summary>
/// The whole job from a configuration: resolve the dataset and its protocol into a split, build the
/// model, train it into a run directory. <c>embedrec train</c>, <c>evaluate</c> and <c>recommend</c> use
/// the same steps, so a run directory alone reproduces its split and model.
/// </summary>
public static class Experiment
{
    /// <summary>The dataset name that means EmbedRec's built-in synthetic data.</summary>
    public const string Synthetic = "synthetic";

    /// <summary>The split the configuration describes (deterministic).</summary>
    public static DataSplit LoadSplit(RunConfig config, DatasetRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(registry);
        string name = config.Require("dataset");
        if (name == Synthetic)
            return Protocol.Parse(config.Get("filters") ?? "", config.Get("split") ?? "loo").Apply(SyntheticData.Generate());
        var ds = registry.Load(name, config.Get("format"));
        var entry = registry.Contains(name) ? registry.Get(name) : null;
        string filters = config.Get("filters") ?? entry?.Filters ?? "";
        string? split = config.Get("split") ?? entry?.Split ?? (ds.Predefined is not null ? "predefined" : null)
            ?? throw new FormatException($"Dataset '{name}' has no default protocol; set 'split' (loo, temporal, random, global).");
        var protocol = Protocol.Parse(filters, split);
        if (protocol.Splitter is not null) return protocol.Apply(ds.Log);
        if (ds.Predefined is null) throw new FormatException($"Dataset '{name}' ships no split; set 'split' (loo, temporal, random, global).");
        if (protocol.FilterSteps.Count > 0) throw new FormatException($"Filters '{filters}' cannot be applied to the predefined split of '{name}'.");
        return protocol.CarveValidation(ds.Predefined);
    }

    /// <summary>The default run name: model-dataset.</summary>
    public static string RunName(RunConfig config) =>
        config.Get("name") ?? $"{config.Require("model").ToLowerInvariant()}-{Path.GetFileNameWithoutExtension(config.Require("dataset").TrimEnd('/', '\\'))}";

    /// <summary>Builds the model and trains it into <paramref name="run"/> (which receives config.yaml first).</summary>
    public static TrainingResult Train(RunConfig config, DataSplit split, RunDirectory run, bool resume = false,
        IProgress<TrainingEvent>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(run);
        var options = config.TrainerOptions();
        options.Validate();
        var model = ModelFactory.Create(config, split);
        if (!resume) AtomicFile.WriteAllText(run.Config, config.ToYaml());
        return new Trainer(options, progress).Fit(model, split, run, resume, cancel);
    }

    /// <summary>Reopens a finished (or checkpointed) run: its configuration, split and trained model.</summary>
    public static (RunConfig Config, DataSplit Split, IRecommender Model) Open(string runDir, DatasetRegistry registry)
    {
        var run = new RunDirectory(runDir);
        var config = new RunConfig();
        config.LoadYaml(run.Config);
        if (!File.Exists(run.Checkpoint))
            throw new FileNotFoundException($"'{runDir}' has no checkpoint.safetensors: the run did not finish its first evaluation, or it is not a run directory.", run.Checkpoint);
        var split = LoadSplit(config, registry);
        var model = ModelFactory.Create(config, split);
        model.Load(run.Checkpoint);
        if (model is ITrainable t) t.PrepareForScoring();
        return (config, split, model);
    }
}
