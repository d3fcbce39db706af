using EmbedRec.Config;
using EmbedRec.Data;
using EmbedRec.Data.Registry;
using EmbedRec.Data.Splits;
using EmbedRec.Initializers;
using EmbedRec.Models;
using EmbedRec.Objectives;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Optim;

namespace EmbedRec.Training;

/// <summary>
/// The whole job from a configuration: resolve it against the registry (every key checked before any data is
/// read), resolve the dataset and its protocol into a split, build the model, initialize it, build its
/// objective and optimizer, train it into a run directory. <c>embedrec train</c>, <c>evaluate</c> and
/// <c>recommend</c> use the same steps, so a run directory alone reproduces its split and model.
/// </summary>
public static class Experiment
{
    /// <summary>The dataset name that means EmbedRec's built-in synthetic data.</summary>
    public const string Synthetic = "synthetic";

    /// <summary>The split the data keys describe (deterministic).</summary>
    public static DataSplit LoadSplit(DataOptions data, DatasetRegistry registry) => LoadData(data, registry).Split;

    /// <summary>
    /// The split the data keys describe, with its <see cref="DataPin"/>: the absolute location read (a relative
    /// path resolved against the working directory now) and fingerprints of the log as read and of the split.
    /// </summary>
    public static LoadedData LoadData(DataOptions data, DatasetRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(registry);
        string name = data.Dataset ?? throw new FormatException("The configuration needs 'dataset' (a registered name, a path, or 'synthetic').");
        if (name == Synthetic)
        {
            var log = SyntheticData.Generate();
            return Pinned(name, null, log, Protocol.Parse(data.Filters ?? "", data.Split ?? "loo").Apply(log));
        }
        var (ds, split) = DatasetSplits.Load(registry, name, data.Format, data.Columns is null ? null : Data.Readers.ColumnMap.Parse(data.Columns), data.Filters, data.Split);
        string location = Path.GetFullPath(registry.Contains(name) ? registry.FolderOf(registry.Get(name)) : name);
        return Pinned(name, location, ds.Log, split);
    }

    private static LoadedData Pinned(string dataset, string? location, InteractionLog log, DataSplit split) =>
        new(split, DataPin.Of(dataset, location, log, split));

    /// <summary>A model built, initialized and ready to train, with how to train it.</summary>
    /// <param name="Model">The model.</param>
    /// <param name="Plan">Objective and optimizer (null for fitted models).</param>
    /// <param name="Record">What the run records about its setup (model, objective, init, optimizer, engine).</param>
    public sealed record Built(IRecommender Model, TrainingPlan? Plan, IReadOnlyDictionary<string, object?> Record);

    /// <summary>Builds the model of <paramref name="spec"/> for <paramref name="split"/>; <paramref name="initialize"/> false skips the initializer (reopening a trained run).</summary>
    public static Built Build(RunSpec spec, DataSplit split, bool initialize = true, IProgress<TrainingEvent>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(split);
        var rng = new Rng(spec.Trainer.Seed);
        var model = spec.Model.Registration.Create(spec.Model.Options, new ModelContext(split, rng));
        var record = new Dictionary<string, object?> { ["model_family"] = spec.Model.Registration.Name };
        if (model is not ITrainable trainable) return new Built(model, null, record);
        string init = "model";
        if (spec.Init is { } i)
        {
            if (model is not IEmbeddingTables { Tables.Count: > 0 } tables) throw new FormatException($"init '{i.Registration.Name}': model '{model.Name}' has no embedding tables.");
            // Reopening a trained run does not initialize again (its source may be gone; the checkpoint overwrites the tables anyway).
            if (initialize)
            {
                var initializer = i.Registration.Create(i.Options);
                init = initializer.Description;
                var lines = progress is null ? null : new ImmediateProgress<string>(line => progress.Report(new PhaseMessage(line)));
                lines?.Report($"initializing: {initializer.Description}");
                initializer.Initialize(tables.Tables.Where(t => !t.OutputLayer).ToList(),
                    new InitContext(split, rng) { CacheDirectory = InitCache.DefaultDirectory(), Cancel = cancel, Progress = lines });
                if (initializer is IReportsInitSides { Reports.Count: > 0 } sides)
                {
                    // What was computed or found, side by side: the spectrum's ends, the solver's residual, the cache.
                    foreach (var side in sides.Reports) lines?.Report($"{i.Registration.Name}: {side.Describe()}");
                    record["init_sides"] = sides.Reports.Select(r => r.ToRecord()).ToList();
                }
            }
            else init = i.Registration.Name;
        }
        var o = spec.Objective ?? throw new InvalidOperationException($"Model '{model.Name}' is trainable but the spec has no objective.");
        var objective = o.Registration.Create(o.Options, trainable, new ObjectiveContext(split, split.Train.ToUserItems(), spec.Trainer.BatchSize, rng));
        // The moment correction applies to AdamW's inactive rows only (SPEC §3.2); other optimizers record n/a.
        string correction = spec.Optimizer.Registration.Name != BuiltinOptimizers.AdamW.Name ? "n/a" : spec.Sevo.Options.MomentCorrection ? "on" : "off";
        string optimizer = spec.Optimizer.Registration.Name + (spec.Sevo.Graph == SevoGraph.None ? ""
            : string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $" with SEvo over the {spec.Sevo.Graph} graph (β = {spec.Sevo.Options.Beta}, L = {spec.Sevo.Options.Layers}, {spec.Sevo.Options.Variant}, moment correction {correction})"));
        Optimizer CreateOptimizer(IReadOnlyList<KeyValuePair<string, Tensor>> ps)
        {
            var inner = spec.Optimizer.Registration.Create(spec.Optimizer.Options, ps, spec.Trainer.LearningRate, spec.Trainer.WeightDecay);
            return spec.Sevo.Graph == SevoGraph.None ? inner : new SevoOptimizer(inner, SevoSetup.Groups(spec.Sevo, model, split), spec.Sevo.Options);
        }
        record["objective"] = objective.Name;
        record["init"] = init;
        record["optimizer"] = optimizer;
        return new Built(model, new TrainingPlan(objective, CreateOptimizer), record);
    }

    /// <summary>Resolves <paramref name="config"/>, builds and trains its model into <paramref name="run"/> (which receives config.yaml first).</summary>
    public static TrainingResult Train(RunConfig config, DataSplit split, RunDirectory? run = null, bool resume = false,
        IProgress<TrainingEvent>? progress = null, CancellationToken cancel = default, Registry? registry = null) =>
        Train(RunSpec.Resolve(config, registry), split, run, resume, progress, cancel);

    /// <summary>
    /// Builds and trains the model of <paramref name="spec"/> into <paramref name="run"/> (which receives config.yaml
    /// and a <c>data.json</c> pinning the split, without the fingerprint of the data as read, first).
    /// </summary>
    public static TrainingResult Train(RunSpec spec, DataSplit split, RunDirectory? run = null, bool resume = false,
        IProgress<TrainingEvent>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(split);
        string dataset = spec.Data.Dataset ?? "";
        string? location = dataset != Synthetic && (File.Exists(dataset) || Directory.Exists(dataset)) ? Path.GetFullPath(dataset) : null;
        return Train(spec, new LoadedData(split, DataPin.Of(dataset, location, null, split)), run, resume, progress, cancel);
    }

    /// <summary>
    /// Builds and trains the model of <paramref name="spec"/> on <paramref name="data"/> into <paramref name="run"/>, which
    /// receives config.yaml and data.json (<see cref="DataPin"/>) first; resuming checks data.json instead and refuses
    /// data that changed since the run started.
    /// </summary>
    public static TrainingResult Train(RunSpec spec, LoadedData data, RunDirectory? run = null, bool resume = false,
        IProgress<TrainingEvent>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(data);
        var split = data.Split;
        // Resuming: the data is checked before anything is built or written; the initializer is not run again when a
        // resume state will overwrite every table (its source may be gone), only when the run never saved an epoch.
        if (run is not null && resume) CheckPin(run.Path, DataPin.Read(run.Path), data.Pin, DataChangePolicy.Refuse, "resumed");
        var built = Build(spec, split, initialize: !(resume && run is not null && File.Exists(Path.Combine(run.Path, ResumeFile.FileName))), progress, cancel);
        if (run is not null && !resume)
        {
            // data.json first: a run with a config.yaml always has its data pinned.
            data.Pin.Write(run.Path);
            AtomicFile.WriteAllText(run.Config, spec.ToYaml());
        }
        else if (run is not null && File.Exists(run.Config) && File.ReadAllText(run.Config) != spec.ToYaml())
            AtomicFile.WriteAllText(run.Config, spec.ToYaml()); // --resume --epochs N, accepted by ResumeRules: written only now that the data checked out
        var record = new Dictionary<string, object?>(built.Record) { ["engine"] = RunEngine.Describe() };
        if (spec.Frozen.Count > 0) record["frozen"] = spec.Frozen;
        return new Trainer(spec.Trainer with { Freeze = spec.Frozen }, progress).Fit(built.Model, split, built.Plan, run, resume, cancel, record);
    }

    /// <summary>Reopens a finished (or checkpointed) run: its configuration, split and trained model (no initializer is run); refuses data that changed since training.</summary>
    public static TrainedRun Open(string runDir, DatasetRegistry datasets, Registry? registry = null) =>
        Open(runDir, datasets, DataChangePolicy.Refuse, registry).Run;

    /// <summary>
    /// Reopens a finished (or checkpointed) run: its configuration, its split rebuilt from the data, and its trained
    /// model (no initializer is run). A dataset path is read from the absolute location recorded in <c>data.json</c>
    /// (so a relative path works from any working directory), and the data and split are checked against the
    /// recorded fingerprints: when they differ, <paramref name="policy"/> refuses (<see cref="DataChangedException"/>)
    /// or goes on and says so in <see cref="OpenedRun.Data"/>.
    /// </summary>
    public static OpenedRun Open(string runDir, DatasetRegistry datasets, DataChangePolicy policy, Registry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(runDir);
        ArgumentNullException.ThrowIfNull(datasets);
        if (!Directory.Exists(runDir)) throw new DirectoryNotFoundException($"'{runDir}' does not exist; give the run directory 'embedrec train' wrote.");
        var run = new RunDirectory(runDir);
        var spec = RunSpec.Resolve(RecordedConfig.Read(run.Config), registry);
        if (!File.Exists(run.Checkpoint))
            throw new FileNotFoundException($"'{runDir}' has no checkpoint.safetensors: the run did not finish its first evaluation, or it is not a run directory.", run.Checkpoint);
        var pin = DataPin.Read(run.Path);
        var data = LoadData(AtRecordedLocation(spec.Data, pin, datasets), datasets);
        var check = CheckPin(runDir, pin, data.Pin with { Dataset = spec.Data.Dataset ?? "" }, policy, "reopened");
        var split = data.Split;
        // Only the model is built: scoring needs neither the initializer, nor the objective (its batches, its own
        // parameters), nor an optimizer; the checkpoint overwrites every model tensor.
        var model = spec.Model.Registration.Create(spec.Model.Options, new ModelContext(split, new Rng(spec.Trainer.Seed)));
        if (model is ITrainable t)
        {
            RunDirectory.LoadInto(run.Checkpoint, t.Network.StateDict());
            t.Network.Eval();
            t.PrepareForScoring();
        }
        else model.Load(run.Checkpoint);
        return new OpenedRun(new TrainedRun(spec, split, model, run), check);
    }

    /// <summary>
    /// <paramref name="data"/> with a dataset path (not a registered name, not synthetic) replaced by the absolute
    /// location a run recorded in its <c>data.json</c>, when that location exists: a run trained with a relative path
    /// then opens or resumes from any working directory. Anything else is returned as it is.
    /// </summary>
    public static DataOptions AtRecordedLocation(DataOptions data, DataPin? pin, DatasetRegistry datasets)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(datasets);
        return pin?.Location is { } location && data.Dataset is { } name && name != Synthetic && !datasets.Contains(name)
            && (File.Exists(location) || Directory.Exists(location))
            ? data with { Dataset = location }
            : data;
    }

    private static DataCheck CheckPin(string runDir, DataPin? recorded, DataPin now, DataChangePolicy policy, string verb)
    {
        if (recorded is null)
            return new DataCheck(DataCheckStatus.NotRecorded, $"'{runDir}' has no {DataPin.FileName} (written before runs recorded their data), so its data could not be checked.");
        var differences = recorded.Differences(now);
        if (differences.Count == 0) return new DataCheck(DataCheckStatus.Unchanged, "");
        string what = $"the data of '{runDir}' changed since it was trained: {string.Join("; ", differences)}";
        if (policy == DataChangePolicy.Refuse)
            throw new DataChangedException($"{char.ToUpperInvariant(what[0])}{what[1..]}. The run was not {verb}; " +
                (verb == "reopened" ? "pass --allow-data-change to evaluate it on the data as it is now, or train again." : "restore the data, or train again with --force."));
        return new DataCheck(DataCheckStatus.Changed, what);
    }
}
