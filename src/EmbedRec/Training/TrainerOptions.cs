using EmbedRec.Config;
using EmbedRec.Evaluation;

namespace EmbedRec.Training;

/// <summary>Learning-rate schedule.</summary>
public enum ScheduleKind
{
    /// <summary>Constant.</summary>
    None,

    /// <summary>Cosine annealing to 0 over the epochs (set at the start of each epoch).</summary>
    Cosine,

    /// <summary>Cosine annealing to 0 over all training steps (set before every step).</summary>
    CosineSteps,

    /// <summary>×gamma every step-size epochs.</summary>
    Step,

    /// <summary>×gamma every epoch.</summary>
    Exponential,
}

/// <summary>
/// The trainer's options: the top-level keys of a run configuration, named as RecBole names them.
/// Model, objective, initializer and optimizer keys live in their own sections and records.
/// </summary>
public sealed record TrainerOptions
{
    /// <summary>Maximum epochs.</summary>
    public int Epochs { get; init; } = 100;

    /// <summary>Training examples per batch (RecBole's default 2048).</summary>
    public int BatchSize { get; init; } = 2048;

    /// <summary>Learning rate (PyTorch's Adam default).</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>Weight decay of the optimizer (RecBole's default 0).</summary>
    public float WeightDecay { get; init; }

    /// <summary>Learning-rate schedule.</summary>
    public ScheduleKind Schedule { get; init; }

    /// <summary>Step size (epochs) of the step schedule.</summary>
    public int ScheduleStep { get; init; } = 10;

    /// <summary>Decay factor of the step and exponential schedules.</summary>
    public float ScheduleGamma { get; init; } = 0.5f;

    /// <summary>Steps of linear warm-up from 0 to the scheduled rate (0 = none).</summary>
    public int WarmupSteps { get; init; }

    /// <summary>Maximum gradient norm, or null.</summary>
    public float? ClipGradNorm { get; init; }

    /// <summary>Evaluate on validation every N epochs.</summary>
    public int EvalEvery { get; init; } = 1;

    /// <summary>
    /// Validate on a sample of this many of the users with validation items, drawn by the run's seed (0: every user). For
    /// models whose scoring dominates the run (DLR2's critic scores every user–item pair); the test always scores every user.
    /// </summary>
    public int ValidUsers { get; init; }

    /// <summary>Metric that selects the best epoch.</summary>
    public string ValidMetric { get; init; } = "ndcg@10";

    /// <summary>Evaluations without improvement before stopping.</summary>
    public int StoppingStep { get; init; } = 10;

    /// <summary>Cutoffs and metrics reported.</summary>
    public EvaluationOptions Evaluation { get; init; } = new() { Cutoffs = [5, 10, 20] };

    /// <summary>Record the effective rank of the item embeddings at each evaluation.</summary>
    public bool TrackErank { get; init; }

    /// <summary>Parameters kept fixed, by name or name prefix (e.g. "item.weight").</summary>
    public IReadOnlyList<string> Freeze { get; init; } = [];

    /// <summary>Seed of initialization, sampling and shuffling.</summary>
    public ulong Seed { get; init; } = 2020;

    /// <summary>The top-level trainer keys.</summary>
    public static readonly OptionsBinder<TrainerOptions> Binder = new OptionsBinder<TrainerOptions>(new())
        .Int("epochs", o => o.Epochs, (o, v) => o with { Epochs = v }, "maximum epochs", min: 0, max: 10_000_000)
        .Int("train_batch_size", o => o.BatchSize, (o, v) => o with { BatchSize = v }, "training examples per batch", min: 1, max: 1 << 24)
        .Float("learning_rate", o => o.LearningRate, (o, v) => o with { LearningRate = v }, "learning rate", min: 0, exclusiveMin: true)
        .Float("weight_decay", o => o.WeightDecay, (o, v) => o with { WeightDecay = v }, "weight decay (L2 for sgd/adam, decoupled for adamw)", min: 0)
        .Choice("lr_schedule", o => o.Schedule, (o, v) => o with { Schedule = v }, "learning-rate schedule",
            ("none", ScheduleKind.None), ("cosine", ScheduleKind.Cosine), ("cosine_steps", ScheduleKind.CosineSteps), ("step", ScheduleKind.Step), ("exponential", ScheduleKind.Exponential))
        .Int("lr_step", o => o.ScheduleStep, (o, v) => o with { ScheduleStep = v }, "epochs per step of the step schedule", min: 1)
        .Float("lr_gamma", o => o.ScheduleGamma, (o, v) => o with { ScheduleGamma = v }, "decay factor of the step and exponential schedules", min: 0, exclusiveMin: true)
        .Int("lr_warmup_steps", o => o.WarmupSteps, (o, v) => o with { WarmupSteps = v }, "steps of linear learning-rate warm-up", min: 0)
        .OptionalFloat("clip_grad_norm", o => o.ClipGradNorm, (o, v) => o with { ClipGradNorm = v }, "maximum gradient norm (unset: no clipping)", min: 0, exclusiveMin: true)
        .Int("eval_step", o => o.EvalEvery, (o, v) => o with { EvalEvery = v }, "validate every N epochs", min: 1)
        .Int("valid_users", o => o.ValidUsers, (o, v) => o with { ValidUsers = v }, "validate on a seeded sample of N users (0: all; the test scores all)", min: 0)
        .Text("valid_metric", o => o.ValidMetric, (o, v) => o with { ValidMetric = (v ?? "").ToLowerInvariant() }, "metric@K that selects the best epoch")
        .Int("stopping_step", o => o.StoppingStep, (o, v) => o with { StoppingStep = v }, "evaluations without improvement before stopping", min: 1)
        .IntList("topk", o => o.Evaluation.Cutoffs, (o, v) => o with { Evaluation = o.Evaluation with { Cutoffs = v } }, "cutoffs K", min: 1, max: 100_000)
        .Custom("metrics", ConfigType.StringList, o => string.Join(",", o.Evaluation.Metrics.Select(MetricNames.Name)),
            (o, v) => o with { Evaluation = o.Evaluation with { Metrics = v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(MetricNames.Parse).ToArray() } },
            "metrics: hit, recall, capped_recall, precision, f1, ndcg, mrr, map")
        .Int("eval_batch_size", o => o.Evaluation.BlockSize, (o, v) => o with { Evaluation = o.Evaluation with { BlockSize = v } }, "users scored per evaluation block", min: 1, max: 1 << 20)
        .Bool("track_erank", o => o.TrackErank, (o, v) => o with { TrackErank = v }, "record the effective rank of the item embeddings at each evaluation")
        .TextList("freeze", o => o.Freeze, (o, v) => o with { Freeze = v }, "parameters kept fixed, by name or prefix")
        .Custom("seed", ConfigType.Int, o => o.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            (o, v) => o with { Seed = ulong.TryParse(v.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : throw new FormatException($"must be a non-negative integer, got '{v}'.") },
            "seed of initialization, sampling and shuffling");

    /// <summary>Throws naming the first unusable option.</summary>
    public void Validate()
    {
        if (Epochs < 0) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "epochs must be ≥ 0.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "train_batch_size must be ≥ 1.");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "learning_rate must be > 0.");
        if (EvalEvery < 1) throw new ArgumentOutOfRangeException(nameof(EvalEvery), EvalEvery, "eval_step must be ≥ 1.");
        if (ValidUsers < 0) throw new ArgumentOutOfRangeException(nameof(ValidUsers), ValidUsers, "valid_users must be ≥ 0.");
        if (StoppingStep < 1) throw new ArgumentOutOfRangeException(nameof(StoppingStep), StoppingStep, "stopping_step must be ≥ 1.");
        var parts = ValidMetric.Split('@');
        if (parts.Length != 2 || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int k) || !Evaluation.Cutoffs.Contains(k))
            throw new ArgumentException($"valid_metric '{ValidMetric}' must be metric@K with K in topk [{string.Join(", ", Evaluation.Cutoffs)}].");
        var m = MetricNames.Parse(parts[0]);
        if (!Evaluation.Metrics.Contains(m)) throw new ArgumentException($"valid_metric '{ValidMetric}' is not among the metrics computed.");
        Evaluation.Validate();
    }
}

/// <summary>The data keys of a run configuration (top level).</summary>
public sealed record DataOptions
{
    /// <summary>Registered dataset name, a path, or "synthetic".</summary>
    public string? Dataset { get; init; }

    /// <summary>Input format when the dataset is a path (null: detected).</summary>
    public string? Format { get; init; }

    /// <summary>Filters, e.g. "kcore=5" (null: the dataset's protocol).</summary>
    public string? Filters { get; init; }

    /// <summary>Split, e.g. "loo" (null: the dataset's protocol).</summary>
    public string? Split { get; init; }

    /// <summary>Run name (null: model-dataset).</summary>
    public string? Name { get; init; }

    /// <summary>Columns of a delimited file by name or 0-based number, e.g. "user=user_id,item=item_id,time=ts" (null: detected).</summary>
    public string? Columns { get; init; }

    /// <summary>The top-level data keys.</summary>
    public static readonly OptionsBinder<DataOptions> Binder = new OptionsBinder<DataOptions>(new())
        .Text("dataset", o => o.Dataset, (o, v) => o with { Dataset = v }, "registered dataset name, path, or 'synthetic'")
        .Text("format", o => o.Format, (o, v) => o with { Format = v }, "input format when dataset is a path (default: detected)")
        .Text("filters", o => o.Filters, (o, v) => o with { Filters = v }, "filters, e.g. 'kcore=5' (default: the dataset's protocol)")
        .Text("split", o => o.Split, (o, v) => o with { Split = v }, "split, e.g. 'loo' (default: the dataset's protocol)")
        .Text("name", o => o.Name, (o, v) => o with { Name = v }, "run name (default: model-dataset)")
        .Custom("columns", ConfigType.String, o => o.Columns, (o, v) => o with { Columns = Data.Readers.ColumnMap.Parse(v) is not null ? v : null },
            "columns of a delimited file, e.g. 'user=user_id,item=item_id,time=ts' (default: detected)");
}
