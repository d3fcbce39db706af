using EmbedRec.Data;

namespace EmbedRec.Evaluation;

/// <summary>
/// Full-ranking evaluation: for blocks of users, asks the scorer for scores over all items, masks the
/// items the protocol excludes (training history; also validation items when testing), selects the
/// top K with a bounded heap (ties: lower item index first), and computes per-user metrics. Scoring a
/// block uses the parallel GEMM; masking, selection and metrics run in parallel over the block's users.
/// Memory is one [block × items] score buffer, whatever the item count.
/// </summary>
public static class FullRankingEvaluator
{
    /// <summary>
    /// Evaluates <paramref name="scorer"/> against <paramref name="relevant"/>, excluding the context's items from each
    /// ranking; <paramref name="progress"/> hears (0, users) before the first block and after each block, on the calling thread.
    /// </summary>
    public static EvaluationResult Evaluate(IScorer scorer, UserItems relevant, ScoringContext context, EvaluationOptions? options = null,
        IProgress<EvaluationProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(relevant);
        ArgumentNullException.ThrowIfNull(context);
        var exclude = context.Exclude;
        var o = options ?? new EvaluationOptions();
        o.Validate();
        if (relevant.UserCount != exclude.UserCount)
            throw new ArgumentException($"Relevant items cover {relevant.UserCount} users but excluded items cover {exclude.UserCount}.");
        int nItems = scorer.ItemCount;
        var users = EvaluatedUsers(relevant, o.Users);
        var metrics = o.Metrics.ToArray();
        var cutoffs = o.Cutoffs.Distinct().OrderBy(k => k).ToArray();
        int maxK = cutoffs[^1], width = metrics.Length * cutoffs.Length;
        var values = new float[users.Length * width];
        var covered = new bool[cutoffs.Length][];
        for (int c = 0; c < cutoffs.Length; c++) covered[c] = new bool[nItems];
        int block = Math.Min(o.BlockSize, Math.Max(1, users.Length));
        var scores = new float[block * nItems];
        var ranked = new int[block * maxK];
        var rankedCount = new int[block];
        progress?.Report(new EvaluationProgress(0, users.Length));
        for (int start = 0; start < users.Length; start += block)
        {
            int b = Math.Min(block, users.Length - start);
            var blockUsers = users.AsSpan(start, b);
            scorer.Score(blockUsers, context, scores.AsSpan(0, b * nItems));
            var bu = users;
            int s0 = start;
            Parallel.For(0, b, new ParallelOptions { MaxDegreeOfParallelism = Tensors.Kernels.Blas.ThreadCount }, () => new float[maxK], (k, _, heap) =>
            {
                int u = bu[s0 + k];
                var row = scores.AsSpan(k * nItems, nItems);
                foreach (int i in exclude.Of(u)) if ((uint)i < (uint)nItems) row[i] = float.NegativeInfinity;
                int found = TopK.Select(row, ranked.AsSpan(k * maxK, maxK), heap);
                rankedCount[k] = found;
                MetricNames.Compute(ranked.AsSpan(k * maxK, found), relevant.Of(u), metrics, cutoffs, values.AsSpan((s0 + k) * width, width));
                return heap;
            }, _ => { });
            for (int k = 0; k < b; k++)
                for (int c = 0; c < cutoffs.Length; c++)
                    for (int r = 0; r < Math.Min(cutoffs[c], rankedCount[k]); r++) covered[c][ranked[k * maxK + r]] = true;
            progress?.Report(new EvaluationProgress(start + b, users.Length));
        }
        var (perUser, means) = Summarize(users.Length, metrics, cutoffs, values);
        for (int c = 0; c < cutoffs.Length; c++) means[$"coverage@{cutoffs[c]}"] = (double)covered[c].Count(x => x) / Math.Max(1, nItems);
        return new EvaluationResult(users, cutoffs, perUser, means, false, 0);
    }

    internal static int[] EvaluatedUsers(UserItems relevant, IReadOnlyList<int>? subset)
    {
        var all = Enumerable.Range(0, relevant.UserCount).Where(u => relevant.Degree(u) > 0);
        if (subset is null) return all.ToArray();
        foreach (int u in subset)
            if ((uint)u >= (uint)relevant.UserCount) throw new ArgumentOutOfRangeException(nameof(subset), u, $"User {u} is outside the {relevant.UserCount} users.");
        var set = subset.ToHashSet();
        return all.Where(set.Contains).ToArray();
    }

    internal static (Dictionary<string, float[]>, Dictionary<string, double>) Summarize(int n, Metric[] metrics, int[] cutoffs, float[] values)
    {
        int width = metrics.Length * cutoffs.Length;
        var perUser = new Dictionary<string, float[]>();
        var means = new Dictionary<string, double>();
        for (int m = 0; m < metrics.Length; m++)
            for (int c = 0; c < cutoffs.Length; c++)
            {
                var v = new float[n];
                double sum = 0;
                for (int u = 0; u < n; u++) { v[u] = values[u * width + m * cutoffs.Length + c]; sum += v[u]; }
                string key = MetricNames.Key(metrics[m], cutoffs[c]);
                perUser[key] = v;
                means[key] = n == 0 ? 0 : sum / n;
            }
        return (perUser, means);
    }
}
