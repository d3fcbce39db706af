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
    public static DataSplit LoadSplit(DataOptions data, DatasetRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(registry);
        string name = data.Dataset ?? throw new FormatException("The configuration needs 'dataset' (a registered name, a path, or 'synthetic').");
        if (name == Synthetic)
            return Protocol.Parse(data.Filters ?? "", data.Split ?? "loo").Apply(SyntheticData.Generate());
        return DatasetSplits.Resolve(registry, name, data.Format, data.Columns is null ? null : Data.Readers.ColumnMap.Parse(data.Columns), data.Filters, data.Split);
    }

    /// <summary>A model built, initialized and ready to train, with how to train it.</summary>
    /// <param name="Model">The model.</param>
    /// <param name="Plan">Objective and optimizer (null for fitted models).</param>
    /// <param name="Record">What the run records about its setup (model, objective, init, optimizer, engine).</param>
    public sealed record Built(IRecommender Model, TrainingPlan? Plan, IReadOnlyDictionary<string, object?> Record);

    /// <summary>Builds the model of <paramref name="spec"/> for <paramref name="split"/>; <paramref name="initialize"/> false skips the initializer (reopening a trained run).</summary>
    public static Built Build(RunSpec spec, DataSplit split, bool initialize = true)
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
                initializer.Initialize(tables.Tables, new InitContext(split, rng));
            }
            else init = i.Registration.Name;
        }
        var o = spec.Objective ?? throw new InvalidOperationException($"Model '{model.Name}' is trainable but the spec has no objective.");
        var objective = o.Registration.Create(o.Options, trainable, new ObjectiveContext(split, split.Train.ToUserItems(), spec.Trainer.BatchSize, rng));
        string optimizer = spec.Optimizer.Registration.Name + (spec.Sevo.Graph == SevoGraph.None ? ""
            : $" with SEvo over the {spec.Sevo.Graph} graph (β = {spec.Sevo.Options.Beta}, L = {spec.Sevo.Options.Layers}, {spec.Sevo.Options.Variant}, moment correction {(spec.Sevo.Options.MomentCorrection ? "on" : "off")})");
        Optimizer CreateOptimizer(IReadOnlyList<KeyValuePair<string, Tensor>> ps)
        {
            var inner = spec.Optimizer.Registration.Create(spec.Optimizer.Options, ps, spec.Trainer.LearningRate, spec.Trainer.WeightDecay);
            return spec.Sevo.Graph == SevoGraph.None ? inner : new SevoOptimizer(inner, SevoSetup.Groups(spec.Sevo, model, split), spec.Sevo.Options);
        }
        record["objective"] = objective.Name;
        record["init"] = init;
        record["optimizer"] = optimizer;
        return new Built(model, new TrainingPlan(objective, CreateOptimizer, init, optimizer), record);
    }

    /// <summary>Resolves <paramref name="config"/>, builds and trains its model into <paramref name="run"/> (which receives config.yaml first).</summary>
    public static TrainingResult Train(RunConfig config, DataSplit split, RunDirectory? run = null, bool resume = false,
        IProgress<TrainingEvent>? progress = null, CancellationToken cancel = default, Registry? registry = null) =>
        Train(RunSpec.Resolve(config, registry), split, run, resume, progress, cancel);

    /// <summary>Builds and trains the model of <paramref name="spec"/> into <paramref name="run"/> (which receives config.yaml first).</summary>
    public static TrainingResult Train(RunSpec spec, DataSplit split, RunDirectory? run = null, bool resume = false,
        IProgress<TrainingEvent>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var built = Build(spec, split);
        if (run is not null && !resume) AtomicFile.WriteAllText(run.Config, spec.ToYaml());
        var record = new Dictionary<string, object?>(built.Record) { ["engine"] = RunEngine.Describe() };
        return new Trainer(spec.Trainer, progress).Fit(built.Model, split, built.Plan, run, resume, cancel, record);
    }

    /// <summary>Reopens a finished (or checkpointed) run: its configuration, split and trained model (no initializer is run).</summary>
    public static TrainedRun Open(string runDir, DatasetRegistry datasets, Registry? registry = null)
    {
        var run = new RunDirectory(runDir);
        var config = new RunConfig();
        config.LoadYaml(run.Config);
        var spec = RunSpec.Resolve(config, registry);
        if (!File.Exists(run.Checkpoint))
            throw new FileNotFoundException($"'{runDir}' has no checkpoint.safetensors: the run did not finish its first evaluation, or it is not a run directory.", run.Checkpoint);
        var split = LoadSplit(spec.Data, datasets);
        var built = Build(spec, split, initialize: false);
        if (built.Model is ITrainable t)
        {
            var state = new TrainableState(t, built.Plan?.Objective);
            RunDirectory.LoadInto(run.Checkpoint, state.State);
            t.Network.Eval();
            t.PrepareForScoring();
        }
        else built.Model.Load(run.Checkpoint);
        return new TrainedRun(spec, split, built.Model, run);
    }
}
