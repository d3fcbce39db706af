using EmbedRec.Data;
using EmbedRec.Data.Readers;
using EmbedRec.Data.Sampling;
using EmbedRec.Tensors;
using Xunit;

namespace EmbedRec.Tests.Data;

public class SamplingTests
{
    [Fact]
    public void KthUnseenSkipsSeenItems()
    {
        int[] seen = [0, 2, 3, 7];
        var unseen = Enumerable.Range(0, 10).Except(seen).ToArray();
        for (int k = 0; k < unseen.Length; k++) Assert.Equal(unseen[k], UniformNegativeSampler.KthUnseen(seen, k));
    }

    [Fact]
    public void UniformNegativesAreUniformOverUnseen()
    {
        var seen = UserItems.From(1, [0, 0, 0], [1, 4, 5]);
        var s = new UniformNegativeSampler(seen, 8);
        var rng = new Rng(1);
        var counts = new int[8];
        for (int t = 0; t < 50_000; t++) counts[s.Sample(0, rng)]++;
        Assert.Equal(0, counts[1] + counts[4] + counts[5]);
        foreach (int i in new[] { 0, 2, 3, 6, 7 }) Assert.InRange(counts[i], 9_000, 11_000);
        var full = UserItems.From(1, [0, 0], [0, 1]);
        Assert.Throws<InvalidOperationException>(() => new UniformNegativeSampler(full, 2).Sample(0, rng));
    }

    [Fact]
    public void PopularityNegativesFollowCounts()
    {
        var seen = UserItems.From(1, [0], [0]);
        var s = new PopularityNegativeSampler(seen, [100, 1, 1, 8], exponent: 1.0);
        var rng = new Rng(2);
        var counts = new int[4];
        for (int t = 0; t < 20_000; t++) counts[s.Sample(0, rng)]++;
        Assert.Equal(0, counts[0]);
        Assert.InRange(counts[3] / (double)(counts[1] + counts[2]), 3.3, 4.8); // 8 vs 1 + 1
    }

    [Fact]
    public void TripletBatchesCoverEveryInteractionOnce()
    {
        var log = SyntheticData.Generate(new SyntheticOptions { Users = 50, Items = 60, Clusters = 4, MeanLength = 8, MinLength = 3 });
        var seen = log.ToUserItems();
        var batcher = new TripletBatcher(log, new UniformNegativeSampler(seen, log.ItemCount), 64, negatives: 2);
        var pairs = new List<(int, int)>();
        foreach (var b in batcher.Epoch(new Rng(3)))
            for (int k = 0; k < b.Count; k++)
            {
                pairs.Add((b.Users[k], b.Positives[k]));
                Assert.False(seen.Contains(b.Users[k], b.Negatives[2 * k]));
                Assert.False(seen.Contains(b.Users[k], b.Negatives[2 * k + 1]));
            }
        Assert.Equal(log.User.Zip(log.Item).Order(), pairs.Order());
        Assert.Equal(batcher.BatchesPerEpoch, batcher.Epoch(new Rng(3)).Count());
    }

    [Fact]
    public void PrefetchedBatchesEqualThePlainEnumeration()
    {
        var log = SyntheticData.Generate(new SyntheticOptions { Users = 80, Items = 60, Clusters = 4, MeanLength = 8, MinLength = 3 });
        var batcher = new TripletBatcher(log, new UniformNegativeSampler(log.ToUserItems(), log.ItemCount), 32, negatives: 3);
        static List<int[]> Snapshot(IEnumerable<TripletBatch> batches) =>
            batches.Select(b => b.Users[..b.Count].Concat(b.Positives[..b.Count]).Concat(b.Negatives[..(3 * b.Count)]).ToArray()).ToList();
        var plain = Snapshot(batcher.Epoch(new Rng(9)));
        var prefetched = Snapshot(BatchPrefetcher.Prefetch(batcher.Epoch(new Rng(9)), () => new TripletBatch(32, 3), (a, b) => a.CopyTo(b)));
        Assert.True(plain.Count > 3);
        Assert.Equal(plain, prefetched);
        // Stopping early (as a diverged or cancelled run does) leaves no worker running on a disposed enumerator.
        var first = BatchPrefetcher.Prefetch(batcher.Epoch(new Rng(9)), () => new TripletBatch(32, 3), (a, b) => a.CopyTo(b)).Take(2).Select(b => b.Users[0]).ToList();
        Assert.Equal(plain[1][0], first[1]);
    }

    [Fact]
    public void SyntheticDataIsSeededAndStructured()
    {
        var a = SyntheticData.Generate(new SyntheticOptions { Seed = 5 });
        var b = SyntheticData.Generate(new SyntheticOptions { Seed = 5 });
        Assert.Equal(a.Item, b.Item);
        Assert.NotEqual(a.Item, SyntheticData.Generate(new SyntheticOptions { Seed = 6 }).Item);
        var stats = DatasetStats.Compute(a);
        Assert.Equal(1500, stats.Users);
        Assert.InRange(stats.MeanLength, 15, 35);
        Assert.True(stats.LengthQuantiles["min"] >= 6);
        Assert.Equal(16, stats.Categories);
        // No table is not the same as a table without names: null and 0.
        var plain = new InteractionLog(a.Users, a.Items, a.User, a.Item);
        Assert.Null(DatasetStats.Compute(plain).Categories);
        var empty = new InteractionLog(a.Users, a.Items, a.User, a.Item, categories: new ItemCategories([], Enumerable.Range(0, a.ItemCount).Select(_ => Array.Empty<int>()).ToList()));
        Assert.Equal(0, DatasetStats.Compute(empty).Categories);
        // Users concentrate on their clusters: the top cluster of a user holds far more than 1/16 of its items.
        var byUser = a.ByUser();
        double share = Enumerable.Range(0, a.UserCount).Average(u =>
        {
            var cs = byUser.Of(u).ToArray().Select(r => a.Categories!.Of(a.Item[r])[0]).GroupBy(c => c).Max(g => g.Count());
            return (double)cs / byUser.Length(u);
        });
        Assert.True(share > 0.3, $"top-cluster share {share}");
        // Popularity is skewed: the top 10% of items hold well over 10% of interactions.
        var counts = a.ItemCounts().OrderDescending().ToArray();
        Assert.True(counts.Take(80).Sum() > 0.2 * a.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticData.Generate(new SyntheticOptions { Clusters = 0 }));
    }
}
