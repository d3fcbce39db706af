using EmbedRec.Tensors;

namespace EmbedRec.Data.Sampling;

/// <summary>
/// One batch of DLR2 training windows: for window k of a user's chronological training sequence t, the state
/// t[k..k+l−1] (<see cref="State"/>, [Count × Window], oldest first), the target t[k+l] (<see cref="Positive"/>) and one
/// negative (<see cref="Negative"/>). Arrays are reused between batches of an epoch: copy what you keep.
/// </summary>
public sealed class WindowBatch(int capacity, int window)
{
    /// <summary>Users, first <see cref="Count"/> valid.</summary>
    public int[] Users { get; } = new int[Checked(capacity, window)];

    /// <summary>States, [capacity × Window], row-major.</summary>
    public int[] State { get; } = new int[capacity * window];

    private static int Checked(int capacity, int window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        if ((long)capacity * window > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"{capacity} windows of {window} items do not fit one array.");
        return capacity;
    }

    /// <summary>Target items (the item after each state).</summary>
    public int[] Positive { get; } = new int[capacity];

    /// <summary>Negative items, one per window.</summary>
    public int[] Negative { get; } = new int[capacity];

    /// <summary>Items per state (l).</summary>
    public int Window { get; } = window;

    /// <summary>Windows in this batch.</summary>
    public int Count { get; internal set; }

    /// <summary>Copies this batch into <paramref name="into"/> (same window, enough capacity).</summary>
    public void CopyTo(WindowBatch into)
    {
        ArgumentNullException.ThrowIfNull(into);
        int n = Count;
        if (into.Users.Length < n || into.Window != Window)
            throw new InvalidOperationException($"A batch buffer of {into.Users.Length} windows of {into.Window} cannot hold {n} of {Window}.");
        Array.Copy(Users, into.Users, n);
        Array.Copy(State, into.State, n * Window);
        Array.Copy(Positive, into.Positive, n);
        Array.Copy(Negative, into.Negative, n);
        into.Count = n;
    }
}

/// <summary>
/// Batches every training window once per epoch in a seeded shuffled order (SPEC §2): for each user with n training
/// items in chronological order and each k in [0, n − l), the state train[k..k+l−1] and the target train[k+l], with a
/// negative drawn from a sampler (uniform over the items the user never interacted with in training). Users with at
/// most l training items give no window.
/// </summary>
public sealed class WindowBatcher
{
    private readonly UserSequences _sequences;
    private readonly int[] _windowUser, _windowStart;
    private readonly INegativeSampler _sampler;

    /// <summary>Creates the batcher over <paramref name="sequences"/> (each user's training items, oldest first).</summary>
    public WindowBatcher(UserSequences sequences, INegativeSampler sampler, int batchSize, int window)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        _sequences = sequences;
        _sampler = sampler;
        BatchSize = batchSize;
        Window = window;
        long total = 0;
        for (int u = 0; u < sequences.UserCount; u++) total += Math.Max(0, sequences.Degree(u) - window);
        if (total > Array.MaxLength) throw new ArgumentException($"{total} windows are more than one epoch can index.");
        _windowUser = new int[total];
        _windowStart = new int[total];
        int w = 0;
        for (int u = 0; u < sequences.UserCount; u++)
            for (int k = 0; k < sequences.Degree(u) - window; k++)
            {
                _windowUser[w] = u;
                _windowStart[w++] = k;
            }
    }

    /// <summary>Windows per batch (the last may be smaller).</summary>
    public int BatchSize { get; }

    /// <summary>Items per state (l).</summary>
    public int Window { get; }

    /// <summary>Windows in one epoch.</summary>
    public int WindowCount => _windowUser.Length;

    /// <summary>Batches per epoch.</summary>
    public int BatchesPerEpoch => (WindowCount + BatchSize - 1) / BatchSize;

    /// <summary>The batches of one epoch; the same <paramref name="rng"/> state gives the same batches.</summary>
    public IEnumerable<WindowBatch> Epoch(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        return EpochCore(rng);
    }

    private IEnumerable<WindowBatch> EpochCore(Rng rng)
    {
        var order = new int[WindowCount];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        rng.Shuffle(order.AsSpan());
        var batch = new WindowBatch(BatchSize, Window);
        int l = Window;
        for (int start = 0; start < order.Length; start += BatchSize)
        {
            int n = Math.Min(BatchSize, order.Length - start);
            for (int j = 0; j < n; j++)
            {
                int w = order[start + j], u = _windowUser[w], k = _windowStart[w];
                var seq = _sequences.Of(u);
                batch.Users[j] = u;
                seq.Slice(k, l).CopyTo(batch.State.AsSpan(j * l, l));
                batch.Positive[j] = seq[k + l];
                batch.Negative[j] = _sampler.Sample(u, rng);
            }
            batch.Count = n;
            yield return batch;
        }
    }
}
