using EmbedRec.Config;
using EmbedRec.Data.Sampling;
using EmbedRec.Tensors;

namespace EmbedRec.Objectives;

/// <summary>
/// An objective over (user, positive, negatives) batches: every training interaction once per epoch in a
/// seeded shuffled order, or users drawn uniformly with one positive each (DirectSpec's sampling), with
/// negatives drawn uniformly from the items the user has not seen.
/// </summary>
public abstract class TripletObjective : BatchObjective<TripletBatch>
{
    private readonly TripletBatcher? _interactions;
    private readonly UniformUserBatcher? _users;
    private readonly int _interactionCount;

    /// <summary>Sets up the batching.</summary>
    protected TripletObjective(ObjectiveContext context, SamplingKind sampling, int negatives)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(context), context.BatchSize, "train_batch_size must be ≥ 1.");
        var sampler = new UniformNegativeSampler(context.Train, context.Split.ItemCount);
        BatchSize = context.BatchSize;
        Negatives = negatives;
        Sampling = sampling;
        if (sampling == SamplingKind.Users) _users = new UniformUserBatcher(context.Train, sampler, BatchSize, negatives);
        else _interactions = new TripletBatcher(context.Split.Train, sampler, BatchSize, negatives);
        _interactionCount = context.Split.Train.Count;
    }

    /// <summary>
    /// The smallest batch the loss is defined for (2 for losses over pairs of batch rows); a shorter last batch of an
    /// epoch is drawn (so the random stream is unchanged) and skipped.
    /// </summary>
    protected virtual int MinimumBatch => 1;

    /// <summary>Triples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Negatives per positive.</summary>
    public int Negatives { get; }

    /// <summary>How triples are drawn.</summary>
    public SamplingKind Sampling { get; }

    /// <inheritdoc />
    public override int StepsPerEpoch
    {
        get
        {
            if (_users is not null) return _users.BatchesPerEpoch;
            int tail = _interactionCount % BatchSize;
            return _interactionCount / BatchSize + (tail > 0 && tail >= MinimumBatch ? 1 : 0);
        }
    }

    /// <inheritdoc />
    protected override IEnumerable<TripletBatch> Batches(Rng rng) =>
        (_users?.Epoch(rng) ?? _interactions!.Epoch(rng)).Where(b => b.Count >= MinimumBatch);

    /// <inheritdoc />
    protected override TripletBatch NewBatch() => new(BatchSize, Negatives);

    /// <inheritdoc />
    protected override void Copy(TripletBatch from, TripletBatch into) => from.CopyTo(into);
}

/// <summary>The <c>sampling</c> key every triplet objective's options declare.</summary>
public static class SamplingKey
{
    /// <summary>Adds <c>sampling: interactions | users</c> to <paramref name="binder"/>.</summary>
    public static OptionsBinder<T> Sampling<T>(this OptionsBinder<T> binder, Func<T, SamplingKind> get, Func<T, SamplingKind, T> set) where T : class
    {
        ArgumentNullException.ThrowIfNull(binder);
        return binder.Choice("sampling", get, set, "interactions (each once per epoch, shuffled) or users (uniform with replacement, one positive each)",
            ("interactions", SamplingKind.Interactions), ("users", SamplingKind.Users));
    }
}
