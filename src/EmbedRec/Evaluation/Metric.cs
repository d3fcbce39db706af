namespace EmbedRec.Evaluation;

/// <summary>
/// Ranking metrics at a cutoff K, for a user with relevant set T and ranked list R (top K):
/// <list type="bullet">
/// <item><c>hit</c>: 1 when R ∩ T is not empty (HR).</item>
/// <item><c>recall</c>: |R ∩ T| / |T| (RecBole's and LightGCN's recall).</item>
/// <item><c>capped_recall</c>: |R ∩ T| / min(K, |T|) (reaches 1 when |T| &gt; K).</item>
/// <item><c>precision</c>: |R ∩ T| / K.</item>
/// <item><c>f1</c>: harmonic mean of precision and recall.</item>
/// <item><c>ndcg</c>: Σ over hits at rank r of 1/log₂(r+1), divided by the ideal DCG over min(K, |T|) positions.</item>
/// <item><c>mrr</c>: 1 / rank of the first hit in R, 0 without a hit.</item>
/// <item><c>map</c>: Σ over hits at rank r of precision@r, divided by min(K, |T|).</item>
/// </list>
/// Item coverage (<c>coverage@K</c>: distinct items in all users' top K / all items) is reported with the means.
/// </summary>
public enum Metric
{
    /// <summary>Hit ratio.</summary>
    Hit,

    /// <summary>hits / |T|.</summary>
    Recall,

    /// <summary>hits / min(K, |T|).</summary>
    CappedRecall,

    /// <summary>hits / K.</summary>
    Precision,

    /// <summary>F1 of precision and recall.</summary>
    F1,

    /// <summary>Normalized discounted cumulative gain.</summary>
    Ndcg,

    /// <summary>Mean reciprocal rank within K.</summary>
    Mrr,

    /// <summary>Mean average precision within K.</summary>
    Map,
}

/// <summary>Names of metrics as they appear in results and configs.</summary>
public static class MetricNames
{
    /// <summary>The name of <paramref name="m"/> ("hit", "recall", "capped_recall", ...).</summary>
    public static string Name(Metric m) => m switch
    {
        Metric.Hit => "hit",
        Metric.Recall => "recall",
        Metric.CappedRecall => "capped_recall",
        Metric.Precision => "precision",
        Metric.F1 => "f1",
        Metric.Ndcg => "ndcg",
        Metric.Mrr => "mrr",
        _ => "map",
    };

    /// <summary>Parses a name (case-insensitive; "hr" is accepted for hit).</summary>
    public static Metric Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "hit" or "hr" => Metric.Hit,
        "recall" => Metric.Recall,
        "capped_recall" => Metric.CappedRecall,
        "precision" => Metric.Precision,
        "f1" => Metric.F1,
        "ndcg" => Metric.Ndcg,
        "mrr" => Metric.Mrr,
        "map" => Metric.Map,
        _ => throw new FormatException($"Unknown metric '{name}'. Metrics: hit, recall, capped_recall, precision, f1, ndcg, mrr, map."),
    };

    /// <summary>"ndcg@10".</summary>
    public static string Key(Metric m, int k) => $"{Name(m)}@{k}";

    /// <summary>
    /// Computes every metric at every cutoff for one user into <paramref name="output"/>, laid out
    /// [metric][cutoff]. <paramref name="ranked"/> holds at least max(cutoffs) items when available;
    /// <paramref name="relevant"/> is sorted.
    /// </summary>
    public static void Compute(ReadOnlySpan<int> ranked, ReadOnlySpan<int> relevant, ReadOnlySpan<Metric> metrics, ReadOnlySpan<int> cutoffs, Span<float> output)
    {
        int t = relevant.Length;
        for (int c = 0; c < cutoffs.Length; c++)
        {
            int k = cutoffs[c];
            int len = Math.Min(k, ranked.Length);
            int hits = 0, firstHit = 0;
            double dcg = 0, apSum = 0;
            for (int r = 0; r < len; r++)
            {
                if (relevant.BinarySearch(ranked[r]) < 0) continue;
                hits++;
                if (firstHit == 0) firstHit = r + 1;
                dcg += 1.0 / Math.Log2(r + 2);
                apSum += (double)hits / (r + 1);
            }
            int ideal = Math.Min(k, t);
            double idcg = 0;
            for (int r = 0; r < ideal; r++) idcg += 1.0 / Math.Log2(r + 2);
            double recall = t == 0 ? 0 : (double)hits / t, precision = (double)hits / k;
            for (int m = 0; m < metrics.Length; m++)
            {
                double v = metrics[m] switch
                {
                    Metric.Hit => hits > 0 ? 1 : 0,
                    Metric.Recall => recall,
                    Metric.CappedRecall => ideal == 0 ? 0 : (double)hits / ideal,
                    Metric.Precision => precision,
                    Metric.F1 => recall + precision == 0 ? 0 : 2 * recall * precision / (recall + precision),
                    Metric.Ndcg => idcg == 0 ? 0 : dcg / idcg,
                    Metric.Mrr => firstHit == 0 ? 0 : 1.0 / firstHit,
                    _ => ideal == 0 ? 0 : apSum / ideal,
                };
                output[m * cutoffs.Length + c] = (float)v;
            }
        }
    }
}
