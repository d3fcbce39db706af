using System.Globalization;
using System.Text;

namespace EmbedRec.Evaluation;

/// <summary>Per-user metric values and their means.</summary>
public sealed class EvaluationResult
{
    internal EvaluationResult(int[] users, IReadOnlyList<int> cutoffs, Dictionary<string, float[]> perUser, Dictionary<string, double> means, bool sampled, int negatives)
    {
        Users = users;
        Cutoffs = cutoffs;
        PerUser = perUser;
        Means = means;
        Sampled = sampled;
        SampledNegatives = negatives;
    }

    /// <summary>Evaluated users (dense ids), ascending.</summary>
    public int[] Users { get; }

    /// <summary>The cutoffs.</summary>
    public IReadOnlyList<int> Cutoffs { get; }

    /// <summary>Per-user values by key ("ndcg@10"), aligned with <see cref="Users"/>.</summary>
    public IReadOnlyDictionary<string, float[]> PerUser { get; }

    /// <summary>Means by key, plus "coverage@K" for full ranking.</summary>
    public IReadOnlyDictionary<string, double> Means { get; }

    /// <summary>True when computed by sampled ranking (N negatives per user), not full ranking.</summary>
    public bool Sampled { get; }

    /// <summary>Negatives per user for sampled ranking; 0 for full ranking.</summary>
    public int SampledNegatives { get; }

    /// <summary>The mean of <paramref name="key"/>, e.g. "ndcg@10".</summary>
    public double this[string key] => Means.TryGetValue(key, out var v) ? v
        : throw new KeyNotFoundException($"No metric '{key}'. Available: {string.Join(", ", Means.Keys)}.");

    /// <summary>A one-line summary, labelled as sampled when it is.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(Sampled ? $"[sampled: {SampledNegatives} negatives per user] " : "[full ranking] ");
        sb.Append(CultureInfo.InvariantCulture, $"{Users.Length} users: ");
        sb.Append(string.Join(", ", Means.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}={kv.Value:0.####}"))));
        return sb.ToString();
    }
}
