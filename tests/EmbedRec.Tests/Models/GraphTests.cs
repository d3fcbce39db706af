using EmbedRec.Data;
using EmbedRec.Graphs;
using Xunit;

namespace EmbedRec.Tests.Models;

public class GraphTests
{
    private static InteractionLog Seq(params string[] lines)
    {
        var b = new LogBuilder();
        foreach (var line in lines)
        {
            var p = line.Split(' ');
            foreach (var item in p[1..]) b.Add(p[0], item);
        }
        return b.Build();
    }

    [Fact]
    public void CoOccurrenceFollowsAlgorithmFour()
    {
        // v2 → v1 → v3 with H = 2: (2,1) and (1,3) at distance 1, (2,3) at distance 2.
        var log = Seq("u 2 1 3");
        int i1 = log.Items.Dense("1"), i2 = log.Items.Dense("2"), i3 = log.Items.Dense("3");
        var dist = ItemGraphs.CoOccurrence(log, new CoOccurrenceOptions { MaxDistance = 2 }).ToDense();
        int n = log.ItemCount;
        Assert.Equal(1f, dist[i2 * n + i1]);
        Assert.Equal(0.5f, dist[i2 * n + i3]);
        Assert.Equal(0.5f, dist[i3 * n + i2]);
        var freq = ItemGraphs.CoOccurrence(log, new CoOccurrenceOptions { MaxDistance = 2, DistanceWeighting = false }).ToDense();
        Assert.Equal(1f, freq[i2 * n + i3]);
        var h1 = ItemGraphs.CoOccurrence(log).ToDense();
        Assert.Equal(0f, h1[i2 * n + i3]);
        // Last K = 2 keeps only 1 → 3; first K = 2 keeps only 2 → 1.
        Assert.Equal(0f, ItemGraphs.CoOccurrence(log, new CoOccurrenceOptions { MaxLength = 2 }).ToDense()[i2 * n + i1]);
        Assert.Equal(1f, ItemGraphs.CoOccurrence(log, new CoOccurrenceOptions { MaxLength = 2, First = true }).ToDense()[i2 * n + i1]);
        // Repeated items keep their self pair.
        var rep = Seq("u 4 4");
        Assert.Equal(2f, ItemGraphs.CoOccurrence(rep).ToDense()[0]);
    }

    [Fact]
    public void BipartiteAndCategoryGraphs()
    {
        var log = Seq("a x y", "b y");
        var g = ItemGraphs.Bipartite(log).ToDense();
        int n = 4; // users a, b then items x, y
        Assert.Equal(1f, g[0 * n + 2]);
        Assert.Equal(1f, g[3 * n + 1]);
        Assert.Equal(0f, g[1 * n + 2]);
        var cats = new ItemCategories(["c0", "c1"], [[0], [0, 1], [1]]);
        var c = ItemGraphs.Category(cats).ToDense();
        Assert.Equal(new float[] { 0, 1, 0, 1, 0, 1, 0, 1, 0 }, c);
    }

    [Fact]
    public void TeacherGraphKeepsNearestNeighboursSymmetrized()
    {
        float[] e = [1, 0, 0.9f, 0.1f, 0, 1];
        var g = ItemGraphs.TeacherKnn(e, 2, 1, 1f).ToDense();
        // Node 0's nearest is 1 and node 1's nearest is 0: both directions added, so w01 = 2·exp(−d/τ).
        float cos = 0.9f / MathF.Sqrt(0.82f);
        Assert.Equal(2 * MathF.Exp(-(2 - 2 * cos)), g[1], 4);
        Assert.Equal(g[1], g[3], 6);
        Assert.True(g[2 * 3 + 1] > 0 && g[1 * 3 + 2] > 0); // node 2's nearest is 1
        Assert.Equal(0f, g[0 * 3 + 2]);
    }

    [Fact]
    public void SmoothnessIsZeroForTheTopEigenvectorAndPositiveOtherwise()
    {
        var g = ItemGraphs.Bipartite(Seq("a x y", "b y")).SymmetricNormalize();
        var deg = ItemGraphs.Bipartite(Seq("a x y", "b y")).RowSums();
        var top = deg.Select(d => MathF.Sqrt(d)).ToArray();
        Assert.Equal(0, ItemGraphs.Smoothness(g, top, 1), 5);
        Assert.True(ItemGraphs.Smoothness(g, [1f, -1f, 1f, -1f], 1) > 0);
    }
}
