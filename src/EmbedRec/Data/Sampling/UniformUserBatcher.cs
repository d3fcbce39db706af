using EmbedRec.Tensors;

namespace EmbedRec.Data.Sampling;

/// <summary>
/// DirectSpec's sampling: each batch draws B users uniformly with replacement (among users with training
/// items) and one positive uniformly from each user's items; negatives are drawn too, for losses that use
/// them. An epoch has as many batches as the training interactions would fill.
/// </summary>
public sealed class UniformUserBatcher
{
    private readonly UserItems _train;
    private readonly int[] _users;
    private readonly INegativeSampler _sampler;
    private readonly int _batches;

    /// <summary>Creates the batcher.</summary>
    public UniformUserBatcher(UserItems train, INegativeSampler sampler, int batchSize, int negatives = 1)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _train = train;
        _sampler = sampler;
        _users = Enumerable.Range(0, train.UserCount).Where(u => train.Degree(u) > 0).ToArray();
        if (_users.Length == 0) throw new ArgumentException("No user has training interactions.");
        BatchSize = batchSize;
        NegativesPerPositive = negatives;
        _batches = Math.Max(1, (train.PairCount + batchSize - 1) / batchSize);
    }

    /// <summary>Users per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Negatives per positive.</summary>
    public int NegativesPerPositive { get; }

    /// <summary>Batches per epoch.</summary>
    public int BatchesPerEpoch => _batches;

    /// <summary>The batches of one epoch.</summary>
    public IEnumerable<TripletBatch> Epoch(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var batch = new TripletBatch(BatchSize, NegativesPerPositive);
        for (int b = 0; b < _batches; b++)
        {
            for (int k = 0; k < BatchSize; k++)
            {
                int u = _users[rng.NextInt(_users.Length)];
                var items = _train.Of(u);
                batch.Users[k] = u;
                batch.Positives[k] = items[rng.NextInt(items.Length)];
                for (int j = 0; j < NegativesPerPositive; j++) batch.Negatives[k * NegativesPerPositive + j] = _sampler.Sample(u, rng);
            }
            batch.Count = BatchSize;
            yield return batch;
        }
    }
}
