using EmbedRec.Tensors;

namespace EmbedRec.Data.Sampling;

/// <summary>
/// One batch of left-padded item sequences [Count × MaxLength]: for each user, the inputs are the
/// training sequence without its last item and the targets the sequence shifted by one (next-item
/// prediction at every position). Item ids are shifted by <see cref="SequenceBatcher.ItemOffset"/> so
/// that <see cref="SequenceBatcher.Pad"/> (0 by default) marks padding. Arrays are reused.
/// </summary>
public sealed class SequenceBatch(int capacity, int maxLength)
{
    /// <summary>Users, first <see cref="Count"/> valid.</summary>
    public int[] Users { get; } = new int[capacity];

    /// <summary>Input items, [capacity × MaxLength].</summary>
    public int[] Inputs { get; } = new int[capacity * maxLength];

    /// <summary>Target items, aligned with <see cref="Inputs"/>.</summary>
    public int[] Targets { get; } = new int[capacity * maxLength];

    /// <summary>Sequence length (columns).</summary>
    public int MaxLength { get; } = maxLength;

    /// <summary>Sequences in this batch.</summary>
    public int Count { get; internal set; }

    /// <summary>Copies this batch into <paramref name="into"/> (same width, enough capacity).</summary>
    public void CopyTo(SequenceBatch into)
    {
        ArgumentNullException.ThrowIfNull(into);
        if (into.Users.Length < Count || into.MaxLength != MaxLength)
            throw new InvalidOperationException($"A batch buffer of {into.Users.Length} × {into.MaxLength} cannot hold {Count} × {MaxLength}.");
        Array.Copy(Users, into.Users, Count);
        Array.Copy(Inputs, into.Inputs, Count * MaxLength);
        Array.Copy(Targets, into.Targets, Count * MaxLength);
        into.Count = Count;
    }
}

/// <summary>Batches users' chronological training sequences for sequential models (SASRec, GRU4Rec).</summary>
public sealed class SequenceBatcher
{
    private readonly int[][] _sequences;
    private readonly int[] _users;

    /// <summary>Creates the batcher from a training log (chronological order per user).</summary>
    public SequenceBatcher(InteractionLog train, int batchSize, int maxLength, int itemOffset = 1, int pad = 0)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        var byUser = train.ByUser();
        var seqs = new List<int[]>();
        var users = new List<int>();
        for (int u = 0; u < train.UserCount; u++)
        {
            if (byUser.Length(u) < 2) continue;
            var s = byUser.Of(u).ToArray();
            for (int k = 0; k < s.Length; k++) s[k] = train.Item[s[k]] + itemOffset;
            seqs.Add(s);
            users.Add(u);
        }
        _sequences = [.. seqs];
        _users = [.. users];
        BatchSize = batchSize;
        MaxLength = maxLength;
        ItemOffset = itemOffset;
        Pad = pad;
    }

    /// <summary>Sequences per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Columns; longer sequences keep their most recent items.</summary>
    public int MaxLength { get; }

    /// <summary>Added to item ids.</summary>
    public int ItemOffset { get; }

    /// <summary>The padding value.</summary>
    public int Pad { get; }

    /// <summary>Users with a sequence of at least two items.</summary>
    public int SequenceCount => _sequences.Length;

    /// <summary>The batches of one epoch in a seeded shuffled user order.</summary>
    public IEnumerable<SequenceBatch> Epoch(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var order = Enumerable.Range(0, _sequences.Length).ToArray();
        rng.Shuffle(order.AsSpan());
        var batch = new SequenceBatch(BatchSize, MaxLength);
        for (int start = 0; start < order.Length; start += BatchSize)
        {
            int n = Math.Min(BatchSize, order.Length - start);
            for (int k = 0; k < n; k++)
            {
                var s = _sequences[order[start + k]];
                batch.Users[k] = _users[order[start + k]];
                Fill(s.AsSpan(0, s.Length - 1), batch.Inputs.AsSpan(k * MaxLength, MaxLength));
                Fill(s.AsSpan(1), batch.Targets.AsSpan(k * MaxLength, MaxLength));
            }
            batch.Count = n;
            yield return batch;
        }
    }

    /// <summary>Left-pads (or truncates from the left) <paramref name="seq"/> into <paramref name="row"/>.</summary>
    public void Fill(ReadOnlySpan<int> seq, Span<int> row)
    {
        int take = Math.Min(seq.Length, row.Length);
        row[..(row.Length - take)].Fill(Pad);
        seq[^take..].CopyTo(row[(row.Length - take)..]);
    }
}
