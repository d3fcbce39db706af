using EmbedRec.Tensors;

namespace EmbedRec.Data.Sampling;

/// <summary>
/// One batch of (user, positive, negatives) triples. Arrays are reused between batches of an epoch:
/// copy what you keep. <see cref="Negatives"/> is [Count × NegativesPerPositive], row-major.
/// </summary>
public sealed class TripletBatch(int capacity, int negatives)
{
    /// <summary>Users, first <see cref="Count"/> valid.</summary>
    public int[] Users { get; } = new int[capacity];

    /// <summary>Positive items.</summary>
    public int[] Positives { get; } = new int[capacity];

    /// <summary>Negative items, <see cref="NegativesPerPositive"/> per positive.</summary>
    public int[] Negatives { get; } = new int[capacity * negatives];

    /// <summary>Negatives per positive.</summary>
    public int NegativesPerPositive { get; } = negatives;

    /// <summary>Triples in this batch.</summary>
    public int Count { get; internal set; }

    /// <summary>Copies this batch into <paramref name="into"/> (same negatives per positive, enough capacity).</summary>
    public void CopyTo(TripletBatch into)
    {
        ArgumentNullException.ThrowIfNull(into);
        int n = Count, neg = NegativesPerPositive;
        if (into.Users.Length < n || into.NegativesPerPositive != neg)
            throw new InvalidOperationException($"A batch buffer of {into.Users.Length} triples with {into.NegativesPerPositive} negatives cannot hold {n} with {neg}.");
        Array.Copy(Users, into.Users, n);
        Array.Copy(Positives, into.Positives, n);
        Array.Copy(Negatives, into.Negatives, n * neg);
        into.Count = n;
    }
}

/// <summary>How training triples are drawn.</summary>
public enum SamplingKind
{
    /// <summary>Every training interaction once per epoch, shuffled (BPR-style).</summary>
    Interactions,

    /// <summary>Users uniformly with replacement, one positive each (DirectSpec's sampling).</summary>
    Users,
}

/// <summary>
/// Batches every training interaction once per epoch, in a seeded shuffled order, with negatives
/// from a sampler (BPR-style training).
/// </summary>
public sealed class TripletBatcher
{
    private readonly int[] _users, _items;
    private readonly INegativeSampler _sampler;

    /// <summary>Creates the batcher over the rows of <paramref name="train"/>.</summary>
    public TripletBatcher(InteractionLog train, INegativeSampler sampler, int batchSize, int negatives = 1)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(negatives, 1);
        _users = train.User;
        _items = train.Item;
        _sampler = sampler;
        BatchSize = batchSize;
        NegativesPerPositive = negatives;
    }

    /// <summary>Triples per batch (the last may be smaller).</summary>
    public int BatchSize { get; }

    /// <summary>Negatives per positive.</summary>
    public int NegativesPerPositive { get; }

    /// <summary>Batches per epoch.</summary>
    public int BatchesPerEpoch => (_users.Length + BatchSize - 1) / BatchSize;

    /// <summary>The batches of one epoch; the same <paramref name="rng"/> state gives the same batches.</summary>
    public IEnumerable<TripletBatch> Epoch(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var order = new int[_users.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        rng.Shuffle(order.AsSpan());
        var batch = new TripletBatch(BatchSize, NegativesPerPositive);
        for (int start = 0; start < order.Length; start += BatchSize)
        {
            int n = Math.Min(BatchSize, order.Length - start);
            for (int k = 0; k < n; k++)
            {
                int r = order[start + k];
                int u = _users[r];
                batch.Users[k] = u;
                batch.Positives[k] = _items[r];
                for (int j = 0; j < NegativesPerPositive; j++) batch.Negatives[k * NegativesPerPositive + j] = _sampler.Sample(u, rng);
            }
            batch.Count = n;
            yield return batch;
        }
    }
}
