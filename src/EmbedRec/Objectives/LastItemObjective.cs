using EmbedRec.Config;
using EmbedRec.Data;
using EmbedRec.Data.Sampling;
using EmbedRec.Models.Sequential;
using EmbedRec.Tensors;

namespace EmbedRec.Objectives;

/// <summary>The loss of <see cref="LastItemObjective"/>.</summary>
public enum LastItemLoss
{
    /// <summary>BPR against one sampled negative (GRU4Rec in SEvo's code).</summary>
    Bpr,

    /// <summary>Full-softmax cross-entropy over all items.</summary>
    Ce,
}

/// <summary>Options of <see cref="LastItemObjective"/>.</summary>
public sealed record LastItemOptions
{
    /// <summary>The loss (BPR with one sampled negative, as SEvo's GRU4Rec).</summary>
    public LastItemLoss Loss { get; init; } = LastItemLoss.Bpr;

    /// <summary>The <c>objective:</c> keys.</summary>
    public static readonly OptionsBinder<LastItemOptions> Binder = new OptionsBinder<LastItemOptions>(new())
        .Choice("loss", o => o.Loss, (o, v) => o with { Loss = v }, "bpr: one sampled negative; ce: softmax over all items",
            ("bpr", LastItemLoss.Bpr), ("ce", LastItemLoss.Ce));
}

/// <summary>
/// Next-item prediction from every training prefix (GRU4Rec; SPEC §3.4): each user's training sequence s gives the samples
/// (s[0..k−1) → s[k−1]) for k = 2 .. |s|, each prefix truncated to its last max_len items; samples are shuffled across users
/// every epoch and the model scores the state after each prefix's last item. BPR: mean −log σ(s⁺ − s⁻) with one negative
/// uniform over the items the user never interacted with in training; CE: softmax over all items.
/// </summary>
public sealed class LastItemObjective : BatchObjective<TargetBatch>
{
    private readonly ISequenceModel _model;
    private readonly UserSequences _sequences;
    private readonly (int User, int Length)[] _samples;
    private readonly UniformNegativeSampler _sampler;
    private readonly int _batchSize;

    /// <summary>Creates the objective over the training prefixes of <paramref name="context"/>.</summary>
    public LastItemObjective(LastItemOptions options, ISequenceModel model, ObjectiveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _model = model ?? throw new ArgumentNullException(nameof(model));
        Options = options ?? new();
        if (context.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(context), context.BatchSize, "train_batch_size must be ≥ 1.");
        _batchSize = context.BatchSize;
        _sequences = UserSequences.From(context.Split.Train);
        var samples = new List<(int, int)>();
        for (int u = 0; u < _sequences.UserCount; u++)
            for (int k = 2; k <= _sequences.Degree(u); k++) samples.Add((u, k));
        if (samples.Count == 0) throw new ArgumentException("last_item: no user has two training items, so there is no prefix to learn from.");
        _samples = [.. samples];
        _sampler = new UniformNegativeSampler(context.Train, context.Split.ItemCount);
    }

    /// <summary>The options.</summary>
    public LastItemOptions Options { get; }

    /// <summary>Training prefixes per epoch.</summary>
    public int SampleCount => _samples.Length;

    /// <inheritdoc />
    public override string Name => "last_item";

    /// <inheritdoc />
    public override int StepsPerEpoch => (_samples.Length + _batchSize - 1) / _batchSize;

    /// <inheritdoc />
    protected override IEnumerable<TargetBatch> Batches(Rng rng)
    {
        var order = ((int User, int Length)[])_samples.Clone();
        rng.Shuffle(order.AsSpan());
        var builder = new SequenceInput.Builder(_model.MaxLength, _model.TokenOffset);
        for (int start = 0; start < order.Length; start += _batchSize)
        {
            builder.Clear();
            int n = Math.Min(_batchSize, order.Length - start);
            var targets = new int[n];
            var negatives = Options.Loss == LastItemLoss.Bpr ? new int[n] : [];
            for (int k = 0; k < n; k++)
            {
                var (u, len) = order[start + k];
                var seq = _sequences.Of(u);
                builder.Add(seq[..(len - 1)]);
                targets[k] = seq[len - 1];
                if (negatives.Length > 0) negatives[k] = _sampler.Sample(u, rng);
            }
            yield return new TargetBatch { Input = builder.Build(), Targets = targets, Negatives = negatives };
        }
    }

    /// <inheritdoc />
    protected override TargetBatch NewBatch() => new();

    /// <inheritdoc />
    protected override void Copy(TargetBatch from, TargetBatch into) => TargetBatch.Copy(from, into);

    /// <inheritdoc />
    public override Tensor Loss(TargetBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var h = _model.Encode(batch.Input, lastOnly: true); // [B, d]
        var weight = _model.Output.Weight;
        int offset = _model.TokenOffset;
        if (Options.Loss == LastItemLoss.Ce)
        {
            var (items, itemBias) = _model.ItemOutput();
            return Ops.LinearCrossEntropy(h, items, itemBias, batch.Targets);
        }
        var pos = Ops.RowDot(h, Ops.Gather(weight, TargetBatch.Tokens(batch.Targets, offset)));
        var neg = Ops.RowDot(h, Ops.Gather(weight, TargetBatch.Tokens(batch.Negatives, offset)));
        return Ops.BprLoss(pos, neg);
    }

    /// <summary><c>objective: last_item</c>.</summary>
    public static readonly ObjectiveRegistration Registration = ObjectiveRegistration.For<LastItemOptions, ISequenceModel>("last_item",
        "next-item prediction from every training prefix's last state (GRU4Rec): BPR with a sampled negative, or CE over all items",
        LastItemOptions.Binder, (o, m, c) => new LastItemObjective(o, m, c));
}
