using EmbedRec.Config;
using EmbedRec.Data;
using EmbedRec.Data.Sampling;
using EmbedRec.Models.Sequential;
using EmbedRec.Tensors;

namespace EmbedRec.Objectives;

/// <summary>The loss of <see cref="NextItemObjective"/>.</summary>
public enum NextItemLoss
{
    /// <summary>Binary cross-entropy: the next item against one sampled negative per position (SASRec's paper and SEvo's code).</summary>
    Bce,

    /// <summary>Full-softmax cross-entropy over all items at every position (the loss many later papers train SASRec with).</summary>
    Ce,
}

/// <summary>Options of <see cref="NextItemObjective"/>.</summary>
public sealed record NextItemOptions
{
    /// <summary>The loss (BCE with one sampled negative, as SEvo's SASRec).</summary>
    public NextItemLoss Loss { get; init; } = NextItemLoss.Bce;

    /// <summary>Rows per chunk of the full-softmax loss (bounds its memory to chunk × items logits).</summary>
    public int ChunkRows { get; init; } = 256;

    /// <summary>The <c>objective:</c> keys.</summary>
    public static readonly OptionsBinder<NextItemOptions> Binder = new OptionsBinder<NextItemOptions>(new())
        .Choice("loss", o => o.Loss, (o, v) => o with { Loss = v }, "bce: one sampled negative per position; ce: softmax over all items",
            ("bce", NextItemLoss.Bce), ("ce", NextItemLoss.Ce))
        .Int("chunk_rows", o => o.ChunkRows, (o, v) => o with { ChunkRows = v }, "rows per chunk of the full-softmax loss", min: 1);
}

/// <summary>
/// Next-item prediction at every position of each user's training sequence (SASRec; SPEC §3.4): the sequence shifted by
/// one, the most recent max_len positions, the loss averaged over real (non-padding) positions. With BCE the loss is
/// mean softplus(−s⁺) + mean softplus(s⁻) as the SEvo code's two BCE terms; with CE it is the mean full-softmax
/// cross-entropy over all items (<see cref="Ops.LinearCrossEntropy"/>, chunked). Users are shuffled each epoch.
/// </summary>
public sealed class NextItemObjective : BatchObjective<TargetBatch>
{
    private readonly ISequenceModel _model;
    private readonly UserSequences _sequences;
    private readonly int[] _users;
    private readonly UniformNegativeSampler _sampler;
    private readonly int _batchSize;

    /// <summary>Creates the objective over the training sequences of <paramref name="context"/>.</summary>
    public NextItemObjective(NextItemOptions options, ISequenceModel model, ObjectiveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _model = model ?? throw new ArgumentNullException(nameof(model));
        Options = options ?? new();
        if (context.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(context), context.BatchSize, "train_batch_size must be ≥ 1.");
        _batchSize = context.BatchSize;
        _sequences = UserSequences.From(context.Split.Train);
        _users = Enumerable.Range(0, _sequences.UserCount).Where(u => _sequences.Degree(u) >= 2).ToArray();
        if (_users.Length == 0) throw new ArgumentException("next_item: no user has two training items, so there is nothing to predict.");
        _sampler = new UniformNegativeSampler(context.Train, context.Split.ItemCount);
    }

    /// <summary>The options.</summary>
    public NextItemOptions Options { get; }

    /// <inheritdoc />
    public override string Name => "next_item";

    /// <inheritdoc />
    public override int StepsPerEpoch => (_users.Length + _batchSize - 1) / _batchSize;

    /// <inheritdoc />
    protected override IEnumerable<TargetBatch> Batches(Rng rng)
    {
        var order = (int[])_users.Clone();
        rng.Shuffle(order.AsSpan());
        var builder = new SequenceInput.Builder(_model.MaxLength, _model.TokenOffset);
        var targets = new List<int>();
        var negatives = new List<int>();
        for (int start = 0; start < order.Length; start += _batchSize)
        {
            builder.Clear(); targets.Clear(); negatives.Clear();
            int n = Math.Min(_batchSize, order.Length - start);
            for (int k = 0; k < n; k++)
            {
                int u = order[start + k];
                var seq = _sequences.Of(u);
                int len = builder.Add(seq[..^1]);
                foreach (int item in seq[^len..])
                {
                    targets.Add(item);
                    if (Options.Loss == NextItemLoss.Bce) negatives.Add(_sampler.Sample(u, rng));
                }
            }
            yield return new TargetBatch { Input = builder.Build(), Targets = targets.ToArray(), Negatives = negatives.ToArray() };
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
        var h = _model.Encode(batch.Input, lastOnly: false); // [tokens, d]
        var (weight, bias) = _model.Output;
        int offset = _model.TokenOffset;
        if (Options.Loss == NextItemLoss.Ce)
        {
            var (items, itemBias) = _model.ItemOutput();
            return Ops.LinearCrossEntropy(h, items, itemBias, batch.Targets, Options.ChunkRows);
        }
        var pos = Ops.RowDot(h, Ops.Gather(weight, TargetBatch.Tokens(batch.Targets, offset)));
        var neg = Ops.RowDot(h, Ops.Gather(weight, TargetBatch.Tokens(batch.Negatives, offset)));
        if (bias is not null)
        {
            pos = Ops.Add(pos, Ops.Reshape(Ops.Gather(Ops.Reshape(bias, bias.Size, 1), TargetBatch.Tokens(batch.Targets, offset)), pos.Size));
            neg = Ops.Add(neg, Ops.Reshape(Ops.Gather(Ops.Reshape(bias, bias.Size, 1), TargetBatch.Tokens(batch.Negatives, offset)), neg.Size));
        }
        return Ops.Add(Ops.Mean(Ops.Softplus(Ops.Neg(pos))), Ops.Mean(Ops.Softplus(neg)));
    }

    /// <summary><c>objective: next_item</c>.</summary>
    public static readonly ObjectiveRegistration Registration = ObjectiveRegistration.For<NextItemOptions, ISequenceModel>("next_item",
        "next-item prediction at every position of the training sequences (SASRec): BCE with a sampled negative, or CE over all items",
        NextItemOptions.Binder, (o, m, c) => new NextItemObjective(o, m, c));
}
