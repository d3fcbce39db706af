using EmbedRec.Data;
using EmbedRec.Graphs;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Sparse;
using Xunit;

namespace EmbedRec.Tests.Graphs;

public class JaccardKnnTests
{
    /// <summary>A log of numbered users and items; dense ids equal the numbers (LogBuilder keeps numeric order).</summary>
    private static InteractionLog Log(int users, int items, IEnumerable<(int User, int Item)> rows)
    {
        var b = new LogBuilder();
        for (int u = 0; u < users; u++) b.Add($"{u}", "0"); // every id exists; item 0 is then dropped below
        for (int i = 0; i < items; i++) b.Add("0", $"{i}");
        var full = b.Build();
        var list = rows.ToList();
        return new InteractionLog(full.Users, full.Items, list.Select(r => r.User).ToArray(), list.Select(r => r.Item).ToArray());
    }

    private static InteractionLog RandomLog(ulong seed, int users, int items, int maxPerUser)
    {
        var rng = new Rng(seed);
        var rows = new List<(int, int)>();
        for (int u = 0; u < users; u++)
        {
            int count = rng.NextInt(maxPerUser + 1);
            for (int t = 0; t < count; t++) rows.Add((u, rng.NextInt(items)));
            if (count > 0 && rng.NextInt(3) == 0) rows.Add(rows[^1]); // duplicate interactions count once
        }
        return Log(users, items, rows);
    }

    /// <summary>Dense brute force: all pairs, sort each row by (similarity desc, index asc), keep the first K positive, union.</summary>
    private static double[] BruteForce(List<HashSet<int>> sets, int k)
    {
        int n = sets.Count;
        var w = new double[n * n];
        for (int u = 0; u < n; u++)
        {
            var others = new List<(double Sim, int V)>();
            for (int v = 0; v < n; v++)
            {
                if (v == u) continue;
                int common = sets[u].Count(sets[v].Contains);
                if (common > 0) others.Add(((double)common / (sets[u].Count + sets[v].Count - common), v));
            }
            foreach (var (sim, v) in others.OrderByDescending(x => x.Sim).ThenBy(x => x.V).Take(k))
                w[u * n + v] = w[v * n + u] = sim;
        }
        return w;
    }

    private static List<HashSet<int>> SetsOf(int count, IEnumerable<(int Node, int Element)> pairs)
    {
        var sets = Enumerable.Range(0, count).Select(_ => new HashSet<int>()).ToList();
        foreach (var (node, element) in pairs) sets[node].Add(element);
        return sets;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(39)]
    [InlineData(1000)]
    public void UserAndItemGraphsEqualTheBruteForce(int k)
    {
        for (ulong seed = 1; seed <= 4; seed++)
        {
            var log = RandomLog(seed, 40, 25, 6);
            var options = new JaccardKnnOptions { K = k };
            var users = JaccardKnn.Users(log, options);
            Assert.Equal(BruteForce(SetsOf(40, log.User.Zip(log.Item)), k), users.ToDense());
            var items = JaccardKnn.Items(log, options);
            Assert.Equal(BruteForce(SetsOf(25, log.Item.Zip(log.User)), k), items.ToDense());
        }
    }

    [Fact]
    public void TiesGoToTheLowerIndexAndTheUnionKeepsEveryChoice()
    {
        // Four users with two items each; every pair that shares an item shares exactly one, so every
        // similarity is 1/3: 0–1, 0–2, 0–3, 1–3 and 2–3 (1 and 2 share nothing).
        var log = Log(4, 4, [(0, 0), (0, 1), (1, 0), (1, 2), (2, 1), (2, 3), (3, 0), (3, 3)]);
        var w = JaccardKnn.Users(log, new JaccardKnnOptions { K = 1 }).ToDense();
        // With K = 1 everyone picks the lowest index among its ties: 0 → 1, 1 → 0, 2 → 0, 3 → 0.
        double third = 1.0 / 3;
        Assert.Equal(new[]
        {
            0, third, third, third,
            third, 0, 0, 0,
            third, 0, 0, 0,
            third, 0, 0, 0,
        }, w);
    }

    [Fact]
    public void KAtLeastNMinusOneGivesTheDenseJaccardGraph()
    {
        var log = RandomLog(7, 30, 12, 5);
        var sets = SetsOf(30, log.User.Zip(log.Item));
        var dense = new double[30 * 30];
        for (int u = 0; u < 30; u++)
            for (int v = 0; v < 30; v++)
            {
                int common = sets[u].Count(sets[v].Contains);
                if (u != v && common > 0) dense[u * 30 + v] = (double)common / (sets[u].Count + sets[v].Count - common);
            }
        Assert.Equal(dense, JaccardKnn.Users(log, new JaccardKnnOptions { K = 29 }).ToDense());
        Assert.Equal(dense, JaccardKnn.Users(log).ToDense());
    }

    [Fact]
    public void GraphsAreSymmetricWithoutSelfLoopsAndReproducible()
    {
        var log = RandomLog(11, 200, 60, 12);
        var w = JaccardKnn.Items(log, new JaccardKnnOptions { K = 4 });
        var dense = w.ToDense();
        int n = w.RowCount;
        for (int u = 0; u < n; u++)
        {
            Assert.Equal(0, dense[u * n + u]);
            for (int v = 0; v < u; v++) Assert.Equal(dense[u * n + v], dense[v * n + u]);
        }
        Assert.All(w.Values, x => Assert.True(x > 0 && x <= 1));
        // Each node's list is computed alone, so another (differently scheduled) parallel run matches bit for bit.
        var again = JaccardKnn.Items(log, new JaccardKnnOptions { K = 4 });
        Assert.Equal(w.RowPtr, again.RowPtr);
        Assert.Equal(w.ColIdx, again.ColIdx);
        Assert.Equal(w.Values, again.Values);
    }

    [Fact]
    public void DuplicatesCountOnceAndEmptyNodesStayIsolated()
    {
        var once = Log(3, 3, [(0, 0), (0, 1), (1, 1), (1, 2)]);
        var twice = Log(3, 3, [(0, 0), (0, 1), (0, 1), (1, 1), (1, 2), (1, 2), (1, 1)]);
        var a = JaccardKnn.Users(once).ToDense();
        Assert.Equal(a, JaccardKnn.Users(twice).ToDense());
        Assert.Equal(1.0 / 3, a[0 * 3 + 1]);
        Assert.Equal(new double[] { 0, 0, 0 }, a[6..9]); // user 2 has no items
    }

    [Fact]
    public void RejectsBadArgumentsAndHonoursCancellation()
    {
        var log = RandomLog(3, 20, 10, 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => JaccardKnn.Users(log, new JaccardKnnOptions { K = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => JaccardKnn.Build(log.ToUserItems(), 2));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => JaccardKnn.Users(log, cancel: cts.Token));
    }
}
