using EmbedRec.Evaluation;
using EmbedRec.Models;

namespace EmbedRec.Training;

/// <summary>Which optimizer trains a neural model.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (L2 weight decay in the gradient).</summary>
    Adam,

    /// <summary>AdamW (decoupled weight decay).</summary>
    AdamW,

    /// <summary>SGD with optional momentum.</summary>
    Sgd,
}

/// <summary>Learning-rate schedule over epochs.</summary>
public enum ScheduleKind
{
    /// <summary>Constant.</summary>
    None,

    /// <summary>Cosine annealing to 0 over the epochs.</summary>
    Cosine,

    /// <summary>×gamma every step-size epochs.</summary>
    Step,

    /// <summary>×gamma every epoch.</summary>
    Exponential,
}

/// <summary>How training batches are drawn.</summary>
public enum SamplingKind
{
    /// <summary>Every training interaction once per epoch, shuffled (BPR-style).</summary>
    Interactions,

    /// <summary>Users uniformly with replacement, one positive each (DirectSpec's sampling).</summary>
    Users,
}

/// <summary>Which graph SEvo smooths over.</summary>
public enum SevoGraph
{
    /// <summary>Item–item co-occurrence in training sequences; smooths the item embeddings.</summary>
    ItemItem,

    /// <summary>User–item bipartite graph; smooths [users; items].</summary>
    UserItem,

    /// <summary>Items sharing a category; smooths the item embeddings.</summary>
    Category,
}

/// <summary>SEvo settings of a run: the graph, the transform options, and how the co-occurrence graph is built.</summary>
/// <param name="Graph">The graph kind.</param>
/// <param name="Options">β, L, variant, moment correction.</param>
/// <param name="CoOccurrence">Co-occurrence graph options (for <see cref="SevoGraph.ItemItem"/>).</param>
public sealed record SevoSettings(SevoGraph Graph, Tensors.Optim.SevoOptions Options, Graphs.CoOccurrenceOptions CoOccurrence);

/// <summary>
/// Trainer options. Names in configs follow RecBole where it has one (in brackets).
/// </summary>
public sealed record TrainerOptions
{
    /// <summary>Maximum epochs [epochs].</summary>
    public int Epochs { get; init; } = 100;

    /// <summary>Training triples per batch [train_batch_size].</summary>
    public int BatchSize { get; init; } = 2048;

    /// <summary>Sampled negatives per positive [neg_samples].</summary>
    public int Negatives { get; init; } = 1;

    /// <summary>Loss; null = the model's default [loss_type].</summary>
    public LossKind? Loss { get; init; }

    /// <summary>Optimizer [optimizer].</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Learning rate [learning_rate].</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>Weight decay [weight_decay].</summary>
    public float WeightDecay { get; init; }

    /// <summary>SGD momentum [momentum].</summary>
    public float Momentum { get; init; }

    /// <summary>Adam β₂ [beta2].</summary>
    public float Beta2 { get; init; } = 0.999f;

    /// <summary>Learning-rate schedule [lr_schedule].</summary>
    public ScheduleKind Schedule { get; init; }

    /// <summary>Step size (epochs) of the step schedule [lr_step].</summary>
    public int ScheduleStep { get; init; } = 10;

    /// <summary>Decay factor of the step and exponential schedules [lr_gamma].</summary>
    public float ScheduleGamma { get; init; } = 0.5f;

    /// <summary>Maximum gradient norm, or null [clip_grad_norm].</summary>
    public float? ClipGradNorm { get; init; }

    /// <summary>Evaluate on validation every N epochs [eval_step].</summary>
    public int EvalEvery { get; init; } = 1;

    /// <summary>Metric that selects the best epoch [valid_metric].</summary>
    public string ValidMetric { get; init; } = "ndcg@10";

    /// <summary>Evaluations without improvement before stopping [stopping_step].</summary>
    public int StoppingStep { get; init; } = 10;

    /// <summary>Cutoffs and metrics reported [topk, metrics].</summary>
    public EvaluationOptions Evaluation { get; init; } = new() { Cutoffs = [5, 10, 20] };

    /// <summary>Record the effective rank of the item embeddings at each evaluation [track_erank].</summary>
    public bool TrackErank { get; init; }

    /// <summary>Batch sampling; null = users for models with their own loss (DirectSpec), interactions otherwise [sampling].</summary>
    public SamplingKind? Sampling { get; init; }

    /// <summary>SEvo-enhanced optimizer, or null for the plain one [optimizer.sevo.*].</summary>
    public SevoSettings? Sevo { get; init; }

    /// <summary>Seed of initialization, sampling and shuffling [seed].</summary>
    public ulong Seed { get; init; } = 2020;

    /// <summary>Throws naming the first unusable option.</summary>
    public void Validate()
    {
        if (Epochs < 0) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "epochs must be ≥ 0.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "train_batch_size must be ≥ 1.");
        if (Negatives < 1) throw new ArgumentOutOfRangeException(nameof(Negatives), Negatives, "neg_samples must be ≥ 1.");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "learning_rate must be > 0.");
        if (EvalEvery < 1) throw new ArgumentOutOfRangeException(nameof(EvalEvery), EvalEvery, "eval_step must be ≥ 1.");
        if (StoppingStep < 1) throw new ArgumentOutOfRangeException(nameof(StoppingStep), StoppingStep, "stopping_step must be ≥ 1.");
        var parts = ValidMetric.Split('@');
        if (parts.Length != 2 || !int.TryParse(parts[1], out int k) || !Evaluation.Cutoffs.Contains(k))
            throw new ArgumentException($"valid_metric '{ValidMetric}' must be metric@K with K in topk [{string.Join(", ", Evaluation.Cutoffs)}].");
        var m = MetricNames.Parse(parts[0]);
        if (!Evaluation.Metrics.Contains(m)) throw new ArgumentException($"valid_metric '{ValidMetric}' is not among the metrics computed.");
        Evaluation.Validate();
    }
}
