using EmbedRec.Tensors;

namespace EmbedRec.Data.Sampling;

/// <summary>
/// One batch of DLR2 training windows: for window k of a user's chronological training sequence t, the state
/// t[k..k+l−1] (<see cref="State"/>, [Count × Window], oldest first; −1 where k + j &lt; 0, the padding of a short state),
/// the target t[k+l] (<see cref="Positive"/>) and one negative (<see cref="Negative"/>). Arrays are reused between batches
/// of an epoch: copy what you keep.
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
/// <remarks>
/// With a smaller <c>minState</c> m (1 ≤ m ≤ l) every target train[t] with m ≤ t &lt; l also gets a window: its state is
/// the t items before it, left-padded with −1 to l, as scoring pads a short visible history. Windows are listed user
/// by user and target by target, so m = l lists exactly the authors' windows in their old order and draws the same
/// batches as before the option existed.
/// </remarks>
public sealed class WindowBatcher
{
    private readonly UserSequences _sequences;
    private readonly int[] _windowUser, _windowStart;
    private readonly INegativeSampler _sampler;

    /// <summary>
    /// Creates the batcher over <paramref name="sequences"/> (each user's training items, oldest first); states hold at
    /// least <paramref name="minState"/> real items (null: <paramref name="window"/>, the authors' windows).
    /// </summary>
    public WindowBatcher(UserSequences sequences, INegativeSampler sampler, int batchSize, int window, int? minState = null)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        int m = minState ?? window;
        if (m < 1 || m > window)
            throw new ArgumentOutOfRangeException(nameof(minState), m, $"A state needs between 1 and window = {window} real items, got {m}.");
        _sequences = sequences;
        _sampler = sampler;
        BatchSize = batchSize;
        Window = window;
        MinState = m;
        long total = 0;
        for (int u = 0; u < sequences.UserCount; u++) total += Math.Max(0, sequences.Degree(u) - m);
        if (total > Array.MaxLength) throw new ArgumentException($"{total} windows are more than one epoch can index.");
        _windowUser = new int[total];
        _windowStart = new int[total];
        int w = 0;
        for (int u = 0; u < sequences.UserCount; u++)
            for (int t = m; t < sequences.Degree(u); t++)
            {
                _windowUser[w] = u;
                _windowStart[w++] = t - window; // negative: a short state, padded
            }
    }

    /// <summary>The fewest real (unpadded) items in a state.</summary>
    public int MinState { get; }

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
                var state = batch.State.AsSpan(j * l, l);
                int pad = Math.Max(0, -k);
                state[..pad].Fill(-1);
                seq.Slice(k + pad, l - pad).CopyTo(state[pad..]);
                batch.Positive[j] = seq[k + l];
                batch.Negative[j] = _sampler.Sample(u, rng);
            }
            batch.Count = n;
            yield return batch;
        }
    }
}
