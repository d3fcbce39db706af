namespace EmbedRec.Evaluation;

/// <summary>Options of the evaluators.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Cutoffs K (RecBole's <c>topk</c>). Default 5, 10, 20.</summary>
    public IReadOnlyList<int> Cutoffs { get; init; } = [5, 10, 20];

    /// <summary>Metrics (RecBole's <c>metrics</c>). Default: all.</summary>
    public IReadOnlyList<Metric> Metrics { get; init; } = Enum.GetValues<Metric>();

    /// <summary>Users scored per block; memory is about BlockSize × items × 4 bytes.</summary>
    public int BlockSize { get; init; } = 256;

    /// <summary>Evaluate only these users (e.g. <see cref="UserGroups.Tail"/>); null = every user with a relevant item.</summary>
    public IReadOnlyList<int>? Users { get; init; }

    /// <summary>Throws unless the options are usable.</summary>
    public void Validate()
    {
        if (Cutoffs.Count == 0 || Cutoffs.Any(k => k < 1)) throw new ArgumentException($"Cutoffs must be positive, got [{string.Join(", ", Cutoffs)}].");
        if (Metrics.Count == 0) throw new ArgumentException("At least one metric is needed.");
        if (BlockSize < 1) throw new ArgumentOutOfRangeException(nameof(BlockSize), BlockSize, "Block size must be positive.");
    }
}

/// <summary>User subsets for evaluation.</summary>
public static class UserGroups
{
    /// <summary>
    /// The <paramref name="fraction"/> of <paramref name="users"/> with the fewest training interactions
    /// (ties by user id), at least one user — Leporid's "tail users" with the default 25%.
    /// </summary>
    public static int[] Tail(IEnumerable<int> users, Data.UserItems train, double fraction = 0.25)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(train);
        if (fraction <= 0 || fraction > 1) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "Fraction must be in (0, 1].");
        var list = users.OrderBy(u => train.Degree(u)).ThenBy(u => u).ToArray();
        int n = Math.Max(1, (int)Math.Ceiling(list.Length * fraction));
        return list[..Math.Min(n, list.Length)].OrderBy(u => u).ToArray();
    }

    /// <summary>
    /// <paramref name="count"/> of the distinct <paramref name="users"/> drawn without replacement by <paramref name="seed"/>, in
    /// ascending order; all of them (ascending) when there are no more than <paramref name="count"/>. The same users,
    /// seed and count give the same sample on every machine.
    /// </summary>
    public static int[] Sample(IEnumerable<int> users, int count, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var list = users.Distinct().Order().ToArray();
        if (list.Length <= count) return list;
        var rng = new Tensors.Rng(seed);
        for (int k = 0; k < count; k++)
        {
            int j = k + rng.NextInt(list.Length - k);
            (list[k], list[j]) = (list[j], list[k]);
        }
        var sample = list[..count];
        Array.Sort(sample);
        return sample;
    }
}
