using EmbedRec.Data;
using EmbedRec.Data.Sampling;
using EmbedRec.Tensors;

namespace EmbedRec.Evaluation;

/// <summary>
/// Sampled ranking: each user's relevant items are ranked against <c>negatives</c> items drawn
/// uniformly from the items neither excluded nor relevant. It exists only to compare with papers that
/// used it (it overstates metrics and can reorder models); its result is labelled as sampled.
/// Ties are broken as in full ranking (lower item index first).
/// </summary>
public static class SampledEvaluator
{
    /// <summary>Evaluates with <paramref name="negatives"/> sampled negatives per user, seeded.</summary>
    public static EvaluationResult Evaluate(IScorer scorer, UserItems relevant, ScoringContext context, int negatives, ulong seed, EvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(relevant);
        ArgumentNullException.ThrowIfNull(context);
        var exclude = context.Exclude;
        ArgumentOutOfRangeException.ThrowIfLessThan(negatives, 1);
        var o = options ?? new EvaluationOptions();
        o.Validate();
        int nItems = scorer.ItemCount;
        var users = FullRankingEvaluator.EvaluatedUsers(relevant, o.Users);
        var metrics = o.Metrics.ToArray();
        var cutoffs = o.Cutoffs.Distinct().OrderBy(k => k).ToArray();
        int maxK = cutoffs[^1], width = metrics.Length * cutoffs.Length;
        var values = new float[users.Length * width];
        var blocked = UserItems.Union(relevant, exclude);
        var sampler = new UniformNegativeSampler(blocked, nItems);
        var rng = new Rng(seed);
        var scores = new float[nItems];
        var masked = new float[nItems];
        var ranked = new int[maxK];
        var heap = new float[maxK];
        var chosen = new HashSet<int>();
        for (int k = 0; k < users.Length; k++)
        {
            int u = users[k];
            scorer.Score([u], context, scores);
            Array.Fill(masked, float.NegativeInfinity);
            foreach (int i in relevant.Of(u)) masked[i] = scores[i];
            int free = nItems - blocked.Degree(u);
            chosen.Clear();
            for (int t = 0; t < Math.Min(negatives, free); t++)
            {
                int i;
                do i = sampler.Sample(u, rng); while (!chosen.Add(i));
                masked[i] = scores[i];
            }
            int found = TopK.Select(masked, ranked, heap);
            MetricNames.Compute(ranked.AsSpan(0, found), relevant.Of(u), metrics, cutoffs, values.AsSpan(k * width, width));
        }
        var (perUser, means) = FullRankingEvaluator.Summarize(users.Length, metrics, cutoffs, values);
        return new EvaluationResult(users, cutoffs, perUser, means, true, negatives);
    }
}
