using EmbedRec.Tensors;

namespace EmbedRec.Data;

/// <summary>Options of <see cref="SyntheticData"/>; defaults make a dataset that trains in seconds.</summary>
public sealed record SyntheticOptions
{
    /// <summary>Users.</summary>
    public int Users { get; init; } = 1500;

    /// <summary>Items.</summary>
    public int Items { get; init; } = 800;

    /// <summary>Item clusters (exposed as item categories "c0", "c1", ...).</summary>
    public int Clusters { get; init; } = 16;

    /// <summary>Clusters each user prefers.</summary>
    public int ClustersPerUser { get; init; } = 2;

    /// <summary>Mean interactions per user (geometric tail above <see cref="MinLength"/>).</summary>
    public double MeanLength { get; init; } = 25;

    /// <summary>Minimum interactions per user.</summary>
    public int MinLength { get; init; } = 6;

    /// <summary>Zipf exponent of item popularity (0 = uniform).</summary>
    public double PopularityExponent { get; init; } = 0.8;

    /// <summary>Probability that an interaction comes from one of the user's clusters.</summary>
    public double ClusterAffinity { get; init; } = 0.85;

    /// <summary>Probability that the next item is a successor of the previous one (sequential signal).</summary>
    public double MarkovProbability { get; init; } = 0.35;

    /// <summary>Successors per item (same cluster).</summary>
    public int Successors { get; init; } = 3;

    /// <summary>Seed.</summary>
    public ulong Seed { get; init; } = 42;
}

/// <summary>
/// A seeded synthetic interaction log with the structure recommenders exploit: items in clusters,
/// users who prefer a few clusters, power-law popularity, Markov-style transitions to an item's
/// successors, and increasing timestamps. It is EmbedRec's built-in dataset (demo and tests).
/// </summary>
public static class SyntheticData
{
    /// <summary>Generates the log; the same options give the same log.</summary>
    public static InteractionLog Generate(SyntheticOptions? options = null)
    {
        var o = options ?? new SyntheticOptions();
        if (o.Users < 1 || o.Items < 2 || o.Clusters < 1 || o.Clusters > o.Items || o.ClustersPerUser < 1 || o.ClustersPerUser > o.Clusters
            || o.MinLength < 1 || o.MeanLength < o.MinLength || o.MinLength >= o.Items)
            throw new ArgumentOutOfRangeException(nameof(options), $"Inconsistent synthetic options: {o}.");
        var rng = new Rng(o.Seed);
        int nI = o.Items, nC = o.Clusters;
        var cluster = new int[nI];
        var perm = Enumerable.Range(0, nI).ToArray();
        rng.Shuffle(perm.AsSpan());
        for (int k = 0; k < nI; k++) cluster[perm[k]] = k % nC;
        var members = Enumerable.Range(0, nC).Select(c => Enumerable.Range(0, nI).Where(i => cluster[i] == c).ToArray()).ToArray();
        // Popularity: Zipf over a random ranking of items.
        var rank = Enumerable.Range(0, nI).ToArray();
        rng.Shuffle(rank.AsSpan());
        var weight = new double[nI];
        for (int k = 0; k < nI; k++) weight[rank[k]] = 1.0 / Math.Pow(k + 1, o.PopularityExponent);
        var globalCdf = Cdf(Enumerable.Range(0, nI).ToArray(), weight);
        var clusterCdf = members.Select(m => Cdf(m, weight)).ToArray();
        var successors = new int[nI][];
        for (int i = 0; i < nI; i++)
        {
            var m = members[cluster[i]];
            successors[i] = Enumerable.Range(0, o.Successors).Select(_ => m[rng.NextInt(m.Length)]).ToArray();
        }
        var users = new List<int>(); var items = new List<int>(); var times = new List<long>();
        var seen = new HashSet<int>();
        double pContinue = 1 - 1.0 / Math.Max(1.0, o.MeanLength - o.MinLength + 1);
        for (int u = 0; u < o.Users; u++)
        {
            var prefs = Enumerable.Range(0, nC).ToArray();
            rng.Shuffle(prefs.AsSpan());
            prefs = prefs[..o.ClustersPerUser];
            int len = o.MinLength;
            while (len < nI / 2 && rng.NextDouble() < pContinue) len++;
            long t = 1_600_000_000L + rng.NextInt(86_400 * 30);
            seen.Clear();
            int prev = -1;
            for (int k = 0; k < len; k++)
            {
                int item = -1;
                for (int attempt = 0; attempt < 20 && (item < 0 || seen.Contains(item)); attempt++)
                {
                    if (prev >= 0 && rng.NextDouble() < o.MarkovProbability)
                        item = successors[prev][rng.NextInt(o.Successors)];
                    else if (rng.NextDouble() < o.ClusterAffinity)
                    {
                        int c = prefs[rng.NextInt(prefs.Length)];
                        item = Draw(clusterCdf[c].Items, clusterCdf[c].Cdf, rng);
                    }
                    else item = Draw(globalCdf.Items, globalCdf.Cdf, rng);
                }
                if (seen.Contains(item)) continue;
                seen.Add(item);
                users.Add(u); items.Add(item); times.Add(t);
                t += 60 + rng.NextInt(86_400);
                prev = item;
            }
        }
        var userMap = IdMap.From(Enumerable.Range(0, o.Users).Select(u => "u" + u));
        var itemMap = IdMap.From(Enumerable.Range(0, nI).Select(i => "i" + i));
        var cats = new ItemCategories(Enumerable.Range(0, nC).Select(c => "c" + c).ToList(), cluster.Select(c => new[] { c }).ToList());
        return new InteractionLog(userMap, itemMap, [.. users], [.. items], null, [.. times], cats, $"synthetic(seed {o.Seed})");
    }

    private static (int[] Items, double[] Cdf) Cdf(int[] items, double[] weight)
    {
        var cdf = new double[items.Length];
        double s = 0;
        for (int k = 0; k < items.Length; k++) { s += weight[items[k]]; cdf[k] = s; }
        for (int k = 0; k < cdf.Length; k++) cdf[k] /= s;
        return (items, cdf);
    }

    private static int Draw(int[] items, double[] cdf, Rng rng)
    {
        int k = Array.BinarySearch(cdf, rng.NextDouble());
        if (k < 0) k = ~k;
        return items[Math.Min(k, items.Length - 1)];
    }
}
