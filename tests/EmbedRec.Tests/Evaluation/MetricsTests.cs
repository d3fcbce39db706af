using EmbedRec.Data;
using EmbedRec.Evaluation;
using Xunit;

namespace EmbedRec.Tests.Evaluation;

public class MetricsTests
{
    private static Dictionary<string, float> Compute(int[] ranked, int[] relevant, params int[] cutoffs)
    {
        var metrics = Enum.GetValues<Metric>();
        var output = new float[metrics.Length * cutoffs.Length];
        MetricNames.Compute(ranked, relevant.Order().ToArray(), metrics, cutoffs, output);
        var d = new Dictionary<string, float>();
        for (int m = 0; m < metrics.Length; m++)
            for (int c = 0; c < cutoffs.Length; c++) d[MetricNames.Key(metrics[m], cutoffs[c])] = output[m * cutoffs.Length + c];
        return d;
    }

    [Fact]
    public void HandComputedValuesWithSeveralRelevantItems()
    {
        // ranked: 7 3 9 1 5; relevant {3, 5, 8}: hits at ranks 2 and 5.
        var v = Compute([7, 3, 9, 1, 5], [3, 5, 8], 3, 5);
        Assert.Equal(1f, v["hit@3"]);
        Assert.Equal(1f / 3, v["recall@3"], 6);            // 1 of 3 relevant
        Assert.Equal(1f / 3, v["capped_recall@3"], 6);     // 1 / min(3, 3)
        Assert.Equal(1f / 3, v["precision@3"], 6);
        Assert.Equal(1f / 3, v["f1@3"], 6);
        // DCG@3 = 1/log2(3); IDCG@3 = 1 + 1/log2(3) + 1/2
        Assert.Equal((float)(1 / Math.Log2(3) / (1 + 1 / Math.Log2(3) + 0.5)), v["ndcg@3"], 6);
        Assert.Equal(0.5f, v["mrr@3"], 6);
        Assert.Equal(0.5f / 3, v["map@3"], 6);               // (1/2) / min(3, 3)
        Assert.Equal(2f / 3, v["recall@5"], 6);
        Assert.Equal(2f / 5, v["precision@5"], 6);
        float p = 0.4f, r = 2f / 3;
        Assert.Equal(2 * p * r / (p + r), v["f1@5"], 5);
        double dcg5 = 1 / Math.Log2(3) + 1 / Math.Log2(6);
        Assert.Equal((float)(dcg5 / (1 + 1 / Math.Log2(3) + 0.5)), v["ndcg@5"], 6);
        Assert.Equal((float)((0.5 + 0.4) / 3), v["map@5"], 6);
    }

    [Fact]
    public void IdealDcgUsesMinOfKAndRelevantCount()
    {
        // One relevant item at rank 1 with K = 10: NDCG 1 (ideal over min(10, 1) = 1 position).
        var v = Compute([4, 1, 2], [4], 10);
        Assert.Equal(1f, v["ndcg@10"]);
        Assert.Equal(1f, v["capped_recall@10"]);
        Assert.Equal(0.1f, v["precision@10"], 6);
        // Five relevant items, K = 2, both top items hit: capped recall 1, recall 2/5.
        var w = Compute([1, 2, 3], [1, 2, 3, 4, 5], 2);
        Assert.Equal(1f, w["capped_recall@2"]);
        Assert.Equal(0.4f, w["recall@2"], 6);
        Assert.Equal(1f, w["ndcg@2"], 6);
        Assert.Equal(1f, w["map@2"], 6);
    }

    [Fact]
    public void NoHitGivesZeros()
    {
        var v = Compute([1, 2], [9], 2);
        Assert.All(v.Values, x => Assert.Equal(0f, x));
    }

    [Fact]
    public void TopKBreaksTiesByLowerItemIndex()
    {
        float[] scores = [0.5f, 0.9f, 0.5f, float.NegativeInfinity, 0.9f, 0.1f, 0.5f];
        var items = new int[4];
        int n = TopK.Select(scores, items, new float[4]);
        Assert.Equal(4, n);
        Assert.Equal(new[] { 1, 4, 0, 2 }, items);
        var all = new int[10];
        Assert.Equal(6, TopK.Select(scores, all, new float[10]));
        Assert.Equal(new[] { 1, 4, 0, 2, 6, 5 }, all[..6]);
    }

    [Fact]
    public void TopKMatchesAFullSortOnRandomRows()
    {
        var rng = new Tensors.Rng(3);
        for (int trial = 0; trial < 50; trial++)
        {
            var s = new float[200];
            for (int i = 0; i < s.Length; i++) s[i] = rng.NextInt(20) / 4f; // many ties
            var expected = Enumerable.Range(0, s.Length).OrderByDescending(i => s[i]).ThenBy(i => i).Take(17).ToArray();
            var got = new int[17];
            TopK.Select(s, got, new float[17]);
            Assert.Equal(expected, got);
        }
    }

    [Fact]
    public void EvaluatorMasksHistoryAndRanksTies()
    {
        // 2 users × 5 items; user 0: history {0}, relevant {2}; user 1: history {}, relevant {4, 3}.
        var scorer = new MatrixScorer(5, [9, 1, 5, 5, 0, 1, 1, 1, 2, 3]);
        var relevant = UserItems.From(2, [0, 1, 1], [2, 4, 3]);
        var history = UserItems.From(2, [0], [0]);
        var r = FullRankingEvaluator.Evaluate(scorer, relevant, ScoringContext.ExcludeOnly(history), new EvaluationOptions { Cutoffs = [1, 2], BlockSize = 1 });
        // user 0 ranking without item 0: 2 (5), 3 (5) by tie order, 1, 4 → hit at 1.
        // user 1 ranking: 4 (3), 3 (2), 0, 1, 2 → hits at 1 and 2.
        Assert.Equal(new[] { 0, 1 }, r.Users);
        Assert.Equal(new float[] { 1, 1 }, r.PerUser["hit@1"]);
        Assert.Equal(new float[] { 1, 0.5f }, r.PerUser["recall@1"]);
        Assert.Equal(1.0, r["ndcg@2"], 6);
        Assert.Equal(2.0 / 5, r["coverage@1"], 6);
        Assert.False(r.Sampled);
        Assert.Contains("[full ranking]", r.ToString());
    }

    [Fact]
    public void BlockedParallelEvaluationEqualsOneBlock()
    {
        int users = 57, items = 91;
        var scorer = RandomDotProducts(seed: 5, users, items, dim: 8);
        var rel = UserItems.From(users, Enumerable.Range(0, 200).Select(i => i % users).ToArray(), Enumerable.Range(0, 200).Select(i => (i * 7) % items).ToArray());
        var hist = UserItems.From(users, Enumerable.Range(0, 300).Select(i => i % users).ToArray(), Enumerable.Range(0, 300).Select(i => (i * 13 + 5) % items).ToArray());
        var a = FullRankingEvaluator.Evaluate(scorer, rel, ScoringContext.ExcludeOnly(hist), new EvaluationOptions { BlockSize = 7 });
        var b = FullRankingEvaluator.Evaluate(scorer, rel, ScoringContext.ExcludeOnly(hist), new EvaluationOptions { BlockSize = 1000 });
        foreach (var key in a.Means.Keys) Assert.Equal(a[key], b[key], 10);
        var tail = UserGroups.Tail(a.Users, hist, 0.25);
        var t = FullRankingEvaluator.Evaluate(scorer, rel, ScoringContext.ExcludeOnly(hist), new EvaluationOptions { Users = tail });
        Assert.Equal(tail.Length, t.Users.Length);
        Assert.True(tail.All(u => hist.Degree(u) <= hist.Degree(a.Users.Except(tail).OrderBy(hist.Degree).First())));
    }

    [Fact]
    public void UserSelectionKeepsTheTailAndATrainingItemRange()
    {
        // User u has u training items (u = 0..9); users 0..8 have a relevant item, user 9 has none.
        var train = UserItems.From(10, Enumerable.Range(0, 10).SelectMany(u => Enumerable.Repeat(u, u)).ToArray(),
            Enumerable.Range(0, 10).SelectMany(u => Enumerable.Range(0, u)).ToArray());
        int[] relevant = [0, 1, 2, 3, 4, 5, 6, 7, 8];
        Assert.True(new UserSelection().All);
        Assert.Equal([6, 7, 8], new UserSelection { MinTrainItems = 6 }.Apply(relevant, train));
        Assert.Equal([2, 3, 4], new UserSelection { MinTrainItems = 2, MaxTrainItems = 4 }.Apply(relevant, train));
        // The tail is a quarter of the nine users (ceil: 3), taken before the range: 0, 1, 2, then those with ≥ 1 item.
        Assert.Equal([0, 1, 2], new UserSelection { Tail = true }.Apply(relevant, train));
        Assert.Equal([1, 2], new UserSelection { Tail = true, MinTrainItems = 1 }.Apply(relevant, train));
        Assert.Equal("tail users, 1+ training items", new UserSelection { Tail = true, MinTrainItems = 1 }.Describe());
        Assert.Equal("2–4 training items", new UserSelection { MinTrainItems = 2, MaxTrainItems = 4 }.Describe());
        Assert.Contains("range 5–4 is empty", Assert.Throws<ArgumentException>(() => new UserSelection { MinTrainItems = 5, MaxTrainItems = 4 }.Apply(relevant, train)).Message);
        Assert.Contains("No user to evaluate is left with 9+ training items (of 9 users", Assert.Throws<ArgumentException>(() => new UserSelection { MinTrainItems = 9 }.Apply(relevant, train)).Message);
    }

    [Fact]
    public void FullRankingReportsEachBlockOfUsersInOrder()
    {
        int users = 23, items = 17;
        var scorer = RandomDotProducts(seed: 6, users, items, dim: 4);
        // Users 0..19 have a relevant item (20 of 23), so blocks of 7 give 7, 14, 20.
        var rel = UserItems.From(users, Enumerable.Range(0, 20).ToArray(), Enumerable.Range(0, 20).Select(i => i % items).ToArray());
        var hist = UserItems.From(users, [0], [1]);
        var seen = new List<EvaluationProgress>();
        var r = FullRankingEvaluator.Evaluate(scorer, rel, ScoringContext.ExcludeOnly(hist), new EvaluationOptions { BlockSize = 7 }, new Collector<EvaluationProgress>(seen.Add));
        Assert.Equal([new(0, 20), new(7, 20), new(14, 20), new(20, 20)], seen);
        var quiet = FullRankingEvaluator.Evaluate(scorer, rel, ScoringContext.ExcludeOnly(hist), new EvaluationOptions { BlockSize = 7 });
        foreach (var key in r.Means.Keys) Assert.Equal(quiet[key], r[key], 12);
    }

    /// <summary>A dot-product scorer over normal random user and item embeddings.</summary>
    private static DotProductScorer RandomDotProducts(ulong seed, int users, int items, int dim)
    {
        var rng = new Tensors.Rng(seed);
        var ue = new float[users * dim]; var ie = new float[items * dim];
        rng.FillNormal(ue); rng.FillNormal(ie);
        return new DotProductScorer(ue, ie, dim);
    }


    [Fact]
    public void SampledRankingIsLabelledAndSeeded()
    {
        var scorer = new MatrixScorer(6, [6, 5, 4, 3, 2, 1]);
        var rel = UserItems.From(1, [0], [3]);
        var hist = UserItems.From(1, [0], [0]);
        var a = SampledEvaluator.Evaluate(scorer, rel, ScoringContext.ExcludeOnly(hist), 2, seed: 1, new EvaluationOptions { Cutoffs = [1, 3] });
        var b = SampledEvaluator.Evaluate(scorer, rel, ScoringContext.ExcludeOnly(hist), 2, seed: 1, new EvaluationOptions { Cutoffs = [1, 3] });
        Assert.True(a.Sampled);
        Assert.Equal(2, a.SampledNegatives);
        Assert.Contains("[sampled: 2 negatives per user]", a.ToString());
        Assert.Equal(a["ndcg@3"], b["ndcg@3"]);
        Assert.Equal(1.0, a["hit@3"]);
    }

    [Fact]
    public void BadOptionsAreRejected()
    {
        var scorer = new MatrixScorer(2, [1, 2]);
        var rel = UserItems.From(1, [0], [1]);
        Assert.Throws<ArgumentException>(() => FullRankingEvaluator.Evaluate(scorer, rel, ScoringContext.ExcludeOnly(rel), new EvaluationOptions { Cutoffs = [0] }));
        Assert.Throws<ArgumentException>(() => FullRankingEvaluator.Evaluate(scorer, rel, ScoringContext.ExcludeOnly(UserItems.Empty(2))));
        Assert.Throws<FormatException>(() => MetricNames.Parse("auc"));
        Assert.Equal(Metric.Hit, MetricNames.Parse("HR"));
    }

    private sealed class MatrixScorer(int items, float[] scores) : IScorer
    {
        public int ItemCount => items;

        public void Score(ReadOnlySpan<int> users, ScoringContext context, Span<float> output)
        {
            for (int k = 0; k < users.Length; k++) scores.AsSpan(users[k] * items, items).CopyTo(output.Slice(k * items, items));
        }
    }

    [Fact]
    public void UserSampleIsASortedSeededDrawWithoutReplacementFairToEveryUser()
    {
        var users = Enumerable.Range(0, 50).Select(u => 3 * u + 1).Reverse().ToArray();
        var a = UserGroups.Sample(users, 10, 7);
        Assert.Equal(10, a.Length);
        Assert.Equal(a.Order(), a);
        Assert.Equal(10, a.Distinct().Count());
        Assert.Subset(users.ToHashSet(), a.ToHashSet());
        Assert.Equal(a, UserGroups.Sample(users, 10, 7));
        Assert.NotEqual(a, UserGroups.Sample(users, 10, 8));
        Assert.Equal(users.Order(), UserGroups.Sample(users, 50, 7));
        Assert.Equal(users.Order(), UserGroups.Sample(users, 99, 7));
        Assert.Throws<ArgumentOutOfRangeException>(() => UserGroups.Sample(users, 0, 7));
        // Each user is drawn with probability 10/50: over 4,000 seeds, 800 times expected, sd √(4000·0.2·0.8) ≈ 25.
        var counts = new Dictionary<int, int>();
        for (ulong seed = 0; seed < 4000; seed++)
            foreach (int u in UserGroups.Sample(users, 10, seed)) counts[u] = counts.GetValueOrDefault(u) + 1;
        Assert.Equal(50, counts.Count);
        Assert.All(counts.Values, n => Assert.InRange(n, 800 - 125, 800 + 125));
    }
}
