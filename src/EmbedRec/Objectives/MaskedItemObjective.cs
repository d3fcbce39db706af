using EmbedRec.Config;
using EmbedRec.Data;
using EmbedRec.Models.Sequential;
using EmbedRec.Tensors;

namespace EmbedRec.Objectives;

/// <summary>Options of <see cref="MaskedItemObjective"/>.</summary>
public sealed record MaskedItemOptions
{
    /// <summary>Probability that a position is masked (<c>mask_prob</c>: 0.5 on Beauty and Toys in SEvo's configs).</summary>
    public float MaskProbability { get; init; } = 0.5f;

    /// <summary>Rows per chunk of the full-softmax loss (bounds its memory to chunk × tokens logits).</summary>
    public int ChunkRows { get; init; } = 256;

    /// <summary>The <c>objective:</c> keys.</summary>
    public static readonly OptionsBinder<MaskedItemOptions> Binder = new OptionsBinder<MaskedItemOptions>(new())
        .Float("mask_prob", o => o.MaskProbability, (o, v) => o with { MaskProbability = v }, "probability that a position is replaced by the mask token, in (0, 1)",
            min: 0, max: 0.999f, exclusiveMin: true)
        .Int("chunk_rows", o => o.ChunkRows, (o, v) => o with { ChunkRows = v }, "rows per chunk of the full-softmax loss", min: 1);
}

/// <summary>A batch of masked sequences: the packed inputs (with mask tokens), the packed rows that were masked and their original tokens.</summary>
public sealed class MaskedBatch
{
    /// <summary>The packed inputs.</summary>
    public SequenceInput Input { get; set; } = null!;

    /// <summary>Packed rows holding a mask token.</summary>
    public int[] Rows { get; set; } = [];

    /// <summary>The original token at each masked row (the label over all output tokens).</summary>
    public int[] Labels { get; set; } = [];
}

/// <summary>
/// BERT4Rec's cloze objective (SPEC §3.4, SEvo's code): each user's training sequence (its last max_len items), every
/// position replaced by the mask token with probability mask_prob, and the full-softmax cross-entropy of the original token
/// over every output token (items, padding and mask, as the code's output layer) averaged over the masked positions. The
/// loss is fused with the output layer and chunked (<see cref="Ops.LinearCrossEntropy"/>): no [masked × tokens] logits are kept.
/// </summary>
public sealed class MaskedItemObjective : BatchObjective<MaskedBatch>
{
    private readonly ISequenceModel _model;
    private readonly UserSequences _sequences;
    private readonly int[] _users;
    private readonly int _batchSize;

    /// <summary>Creates the objective over the training sequences of <paramref name="context"/>.</summary>
    public MaskedItemObjective(MaskedItemOptions options, ISequenceModel model, ObjectiveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _model = model ?? throw new ArgumentNullException(nameof(model));
        Options = options ?? new();
        if (!(Options.MaskProbability > 0f && Options.MaskProbability < 1f))
            throw new ArgumentOutOfRangeException(nameof(options), Options.MaskProbability, "masked_item: mask_prob must be in (0, 1).");
        if (model.ScoringSuffix is not int)
            throw new ArgumentException($"masked_item needs a model with a mask token; '{model.Name}' has none.");
        if (context.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(context), context.BatchSize, "train_batch_size must be ≥ 1.");
        _batchSize = context.BatchSize;
        _sequences = UserSequences.From(context.Split.Train);
        _users = Enumerable.Range(0, _sequences.UserCount).Where(u => _sequences.Degree(u) >= 1).ToArray();
        if (_users.Length == 0) throw new ArgumentException("masked_item: no user has a training item.");
    }

    /// <summary>The options.</summary>
    public MaskedItemOptions Options { get; }

    /// <inheritdoc />
    public override string Name => "masked_item";

    /// <inheritdoc />
    public override int StepsPerEpoch => (_users.Length + _batchSize - 1) / _batchSize;

    /// <inheritdoc />
    protected override IEnumerable<MaskedBatch> Batches(Rng rng)
    {
        var order = (int[])_users.Clone();
        rng.Shuffle(order.AsSpan());
        int mask = _model.ScoringSuffix!.Value;
        var builder = new SequenceInput.Builder(_model.MaxLength, _model.TokenOffset);
        var rows = new List<int>();
        var labels = new List<int>();
        for (int start = 0; start < order.Length; start += _batchSize)
        {
            builder.Clear(); rows.Clear(); labels.Clear();
            int n = Math.Min(_batchSize, order.Length - start);
            for (int k = 0; k < n; k++) builder.Add(_sequences.Of(order[start + k]));
            var input = builder.Build();
            var tokens = input.Tokens;
            for (int r = 0; r < tokens.Length; r++)
            {
                if (rng.NextSingle() >= Options.MaskProbability) continue;
                rows.Add(r);
                labels.Add(tokens[r]);
                tokens[r] = mask;
            }
            yield return new MaskedBatch { Input = input, Rows = rows.ToArray(), Labels = labels.ToArray() };
        }
    }

    /// <inheritdoc />
    protected override MaskedBatch NewBatch() => new();

    /// <inheritdoc />
    protected override void Copy(MaskedBatch from, MaskedBatch into)
    {
        into.Input = from.Input;
        into.Rows = from.Rows;
        into.Labels = from.Labels;
    }

    /// <inheritdoc />
    public override Tensor Loss(MaskedBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var h = _model.Encode(batch.Input, lastOnly: false); // [tokens, d]
        // A batch where no position drew a mask contributes nothing (the code's loss would be NaN there; it never happens at mask_prob 0.5).
        if (batch.Rows.Length == 0) return Ops.MulScalar(Ops.Sum(h), 0f);
        var (weight, bias) = _model.Output;
        return Ops.LinearCrossEntropy(Ops.Gather(h, batch.Rows), weight, bias, batch.Labels, Options.ChunkRows);
    }

    /// <summary><c>objective: masked_item</c>.</summary>
    public static readonly ObjectiveRegistration Registration = ObjectiveRegistration.For<MaskedItemOptions, ISequenceModel>("masked_item",
        "BERT4Rec's cloze task: items masked with probability mask_prob, full-softmax CE at the masked positions",
        MaskedItemOptions.Binder, (o, m, c) => new MaskedItemObjective(o, m, c));
}
