using EmbedRec.Tensors;

namespace EmbedRec.Data.Sampling;

/// <summary>Draws negative items for a user: items the user has not interacted with in training.</summary>
public interface INegativeSampler
{
    /// <summary>One negative for <paramref name="user"/>.</summary>
    int Sample(int user, Rng rng);
}

/// <summary>
/// Uniform negatives over the items a user has not seen. Instead of rejection with a hash set, it
/// draws k uniformly from the user's complement and maps k to the k-th unseen item by a binary search
/// over the user's sorted items: O(log degree), no allocation, and exact even for heavy users.
/// </summary>
public sealed class UniformNegativeSampler : INegativeSampler
{
    private readonly UserItems _seen;

    /// <summary>Creates the sampler over <paramref name="itemCount"/> items excluding <paramref name="seen"/>.</summary>
    public UniformNegativeSampler(UserItems seen, int itemCount)
    {
        ArgumentNullException.ThrowIfNull(seen);
        ArgumentOutOfRangeException.ThrowIfLessThan(itemCount, 1);
        _seen = seen;
        ItemCount = itemCount;
    }

    /// <summary>Items in the catalogue.</summary>
    public int ItemCount { get; }

    /// <inheritdoc />
    public int Sample(int user, Rng rng)
    {
        var s = _seen.Of(user);
        int free = ItemCount - s.Length;
        if (free <= 0) throw new InvalidOperationException($"User {user} has interacted with all {ItemCount} items; no negative exists.");
        return KthUnseen(s, rng.NextInt(free));
    }

    /// <summary>The k-th (0-based) item not in the sorted set <paramref name="seen"/>.</summary>
    public static int KthUnseen(ReadOnlySpan<int> seen, int k)
    {
        // seen[j] − j counts the unseen items below seen[j]; it never decreases.
        int lo = 0, hi = seen.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (seen[mid] - mid <= k) lo = mid + 1; else hi = mid;
        }
        return k + lo;
    }
}

/// <summary>
/// Negatives drawn in proportion to popularity^<c>exponent</c> (alias method), rejecting the
/// user's items; after 64 rejections it falls back to a uniform unseen item.
/// </summary>
public sealed class PopularityNegativeSampler : INegativeSampler
{
    private readonly UserItems _seen;
    private readonly float[] _prob;
    private readonly int[] _alias;
    private readonly UniformNegativeSampler _fallback;

    /// <summary>Creates the sampler from interaction counts per item.</summary>
    public PopularityNegativeSampler(UserItems seen, int[] itemCounts, double exponent = 1.0)
    {
        ArgumentNullException.ThrowIfNull(seen);
        ArgumentNullException.ThrowIfNull(itemCounts);
        _seen = seen;
        int n = itemCounts.Length;
        var w = itemCounts.Select(c => Math.Pow(Math.Max(c, 0), exponent)).ToArray();
        double total = w.Sum();
        if (total <= 0) throw new ArgumentException("Popularity sampling needs at least one item with a positive count.");
        (_prob, _alias) = BuildAlias(w.Select(x => x * n / total).ToArray());
        _fallback = new UniformNegativeSampler(seen, n);
    }

    private static (float[], int[]) BuildAlias(double[] scaled)
    {
        int n = scaled.Length;
        var prob = new float[n];
        var alias = new int[n];
        var small = new Stack<int>(); var large = new Stack<int>();
        for (int i = n - 1; i >= 0; i--) (scaled[i] < 1 ? small : large).Push(i);
        while (small.Count > 0 && large.Count > 0)
        {
            int s = small.Pop(), l = large.Pop();
            prob[s] = (float)scaled[s];
            alias[s] = l;
            scaled[l] = scaled[l] + scaled[s] - 1;
            (scaled[l] < 1 ? small : large).Push(l);
        }
        while (large.Count > 0) prob[large.Pop()] = 1f;
        while (small.Count > 0) prob[small.Pop()] = 1f;
        return (prob, alias);
    }

    /// <inheritdoc />
    public int Sample(int user, Rng rng)
    {
        for (int t = 0; t < 64; t++)
        {
            int i = rng.NextInt(_prob.Length);
            if (rng.NextSingle() >= _prob[i]) i = _alias[i];
            if (!_seen.Contains(user, i)) return i;
        }
        return _fallback.Sample(user, rng);
    }
}
