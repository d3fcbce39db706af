using EmbedRec.Data;
using EmbedRec.Data.Readers;
using EmbedRec.Data.Splits;
using Xunit;

namespace EmbedRec.Tests.Data;

public class ProtocolTests
{
    private static InteractionLog Log(params (string U, string I)[] rows)
    {
        var b = new LogBuilder();
        long t = 0;
        foreach (var (u, i) in rows) b.Add(u, i, null, t++);
        return b.Build("test");
    }

    [Fact]
    public void KCoreNeedsSeveralPasses()
    {
        // Item z has 2 users; removing user c (1 row, below 2) drops z below 2, which then drops user b below 2.
        var log = Log(("a", "x"), ("a", "y"), ("b", "x"), ("b", "z"), ("c", "z"), ("d", "x"), ("d", "y"));
        var r = Filters.KCore(log, 2, 2);
        Assert.True(r.Passes >= 3, $"passes {r.Passes}");
        Assert.Equal(new[] { "a", "d" }, r.Log.Users.External);
        Assert.Equal(new[] { "x", "y" }, r.Log.Items.External);
        Assert.Equal(4, r.Log.Count);
        var stats = DatasetStats.Compute(r.Log);
        Assert.Equal(2, stats.Users);
    }

    [Fact]
    public void RatingThresholdAndDeduplication()
    {
        var b = new LogBuilder();
        b.Add("u", "a", 5, 3); b.Add("u", "a", 2, 1); b.Add("u", "b", 1, 2);
        var log = b.Build();
        Assert.Equal(1, Filters.RatingThreshold(log, 4).Count);
        Assert.Equal(2, Filters.RatingThreshold(log, 1, inclusive: false).Count);
        var first = Filters.Deduplicate(log, DuplicatePolicy.KeepFirst);
        Assert.Equal(2, first.Count);
        Assert.Contains(2f, first.Rating!);           // the earliest (t = 1) copy of (u, a)
        var last = Filters.Deduplicate(log, DuplicatePolicy.KeepLast);
        Assert.Contains(5f, last.Rating!);
        Assert.Throws<InvalidOperationException>(() => Filters.RatingThreshold(Log(("a", "b")), 1));
    }

    private static InteractionLog Random(int users, int maxLen, ulong seed)
    {
        var rng = new Tensors.Rng(seed);
        var b = new LogBuilder();
        for (int u = 0; u < users; u++)
        {
            int n = 1 + rng.NextInt(maxLen);
            for (int k = 0; k < n; k++) b.Add("u" + u, "i" + rng.NextInt(50), null, rng.NextInt(1000));
        }
        return b.Build("random");
    }

    private static void AssertPartition(InteractionLog log, DataSplit s)
    {
        var all = s.Train.User.Zip(s.Train.Item).Concat(s.Valid.User.Zip(s.Valid.Item)).Concat(s.Test.User.Zip(s.Test.Item)).ToList();
        Assert.Equal(log.User.Zip(log.Item).Order(), all.Order());
        Assert.Same(s.Train.Items, s.Test.Items);
    }

    [Fact]
    public void LeaveOneOutIsChronologicalAndComplete()
    {
        var log = Random(40, 8, 1);
        var s = new LeaveOneOutSplit().Split(log);
        AssertPartition(log, s);
        var byUser = log.ByUser();
        var ts = log.Timestamp!;
        for (int u = 0; u < log.UserCount; u++)
        {
            var rows = byUser.Of(u);
            int nTest = s.Test.User.Count(x => x == u), nValid = s.Valid.User.Count(x => x == u);
            if (rows.Length < 3) { Assert.Equal(0, nTest + nValid); continue; }
            Assert.Equal(1, nTest);
            Assert.Equal(1, nValid);
            long testTime = s.Test.Timestamp![Array.IndexOf(s.Test.User, u)];
            Assert.Equal(ts[rows[^1]], testTime);
            Assert.True(s.Train.User.Select((x, k) => (x, k)).Where(p => p.x == u).All(p => s.Train.Timestamp![p.k] <= testTime));
        }
        Assert.Equal(log.UserCounts().Count(c => c is > 0 and < 3), s.Report.ShortUsers);
        var drop = new LeaveOneOutSplit(ShortUserPolicy.Drop).Split(log);
        Assert.Equal(log.Count - log.UserCounts().Where(c => c < 3).Sum(), drop.Train.Count + drop.Valid.Count + drop.Test.Count);
        var e = Assert.Throws<InvalidOperationException>(() => new LeaveOneOutSplit(ShortUserPolicy.Error).Split(log));
        Assert.Contains("leave-one-out needs 3", e.Message);
    }

    [Fact]
    public void TemporalRatioKeepsOrderAndProportions()
    {
        var log = Random(30, 30, 2);
        var s = new TemporalRatioSplit().Split(log);
        AssertPartition(log, s);
        for (int u = 0; u < log.UserCount; u++)
        {
            var tr = s.Train.User.Select((x, k) => (x, k)).Where(p => p.x == u).Select(p => s.Train.Timestamp![p.k]).ToList();
            var te = s.Test.User.Select((x, k) => (x, k)).Where(p => p.x == u).Select(p => s.Test.Timestamp![p.k]).ToList();
            if (te.Count == 0) continue;
            Assert.True(tr.Max() <= te.Min());
            int n = log.UserCounts()[u];
            Assert.Equal((int)Math.Floor(n * 0.7 + 1e-9), tr.Count);
        }
    }

    [Fact]
    public void RandomRatioIsSeededAndComplete()
    {
        var log = Random(30, 20, 3);
        var a = new RandomRatioSplit(Seed: 7).Split(log);
        var b = new RandomRatioSplit(Seed: 7).Split(log);
        var c = new RandomRatioSplit(Seed: 8).Split(log);
        AssertPartition(log, a);
        Assert.Equal(a.Test.Item, b.Test.Item);
        Assert.NotEqual(a.Test.Item, c.Test.Item);
        foreach (var u in Enumerable.Range(0, log.UserCount).Where(u => log.UserCounts()[u] >= 2))
            Assert.Contains(u, a.Train.User);
    }

    [Fact]
    public void GlobalCutSeparatesTime()
    {
        var log = Random(30, 20, 4);
        var s = new GlobalTemporalSplit(0.2, 0.1, ShortUserPolicy.TrainOnly).Split(log);
        AssertPartition(log, s);
        Assert.True(s.Train.Timestamp!.Max() <= s.Valid.Timestamp!.Min());
        Assert.True(s.Valid.Timestamp!.Max() <= s.Test.Timestamp!.Min());
    }

    [Fact]
    public void ProtocolTextParses()
    {
        var p = Protocol.Parse("rating>=1;dedup;kcore=2,1", "random=0.3,0.2;seed=5;short=drop");
        Assert.Equal(3, p.FilterSteps.Count);
        var rs = Assert.IsType<RandomRatioSplit>(p.Splitter);
        Assert.Equal(0.3, rs.Test);
        Assert.Equal(5UL, rs.Seed);
        Assert.Equal(ShortUserPolicy.Drop, rs.ShortUsers);
        Assert.IsType<LeaveOneOutSplit>(Protocol.Parse("", "loo").Splitter);
        Assert.Null(Protocol.Parse("", "predefined").Splitter);
        Assert.Contains("Unknown filter 'kcore=x'", Assert.Throws<FormatException>(() => Protocol.Parse("kcore=x", "loo")).Message);
        Assert.Contains("Unknown split 'half'", Assert.Throws<FormatException>(() => Protocol.Parse("", "half")).Message);
        var empty = Assert.Throws<InvalidOperationException>(() => Protocol.Parse("kcore=100", "loo").Apply(Random(5, 3, 1)));
        Assert.Contains("empty after the filters", empty.Message);
    }

    [Fact]
    public void PreparedSplitRoundTripsAndRefusesToOverwrite()
    {
        using var dir = new TempDir();
        var log = Random(20, 10, 5);
        var split = new LeaveOneOutSplit().Split(log);
        var outDir = System.IO.Path.Combine(dir.Path, "prep");
        PreparedSplit.Write(outDir, split, "random");
        var back = PreparedSplit.Read(outDir);
        Assert.Equal(split.Train.User, back.Train.User);
        Assert.Equal(split.Test.Item, back.Test.Item);
        Assert.Equal(split.Train.Items.External, back.Train.Items.External);
        Assert.Throws<IOException>(() => PreparedSplit.Write(outDir, split, "random"));
        PreparedSplit.Write(outDir, split, "random", overwrite: true);
        Assert.DoesNotContain(Directory.GetDirectories(dir.Path), d => d.Contains(".tmp") || d.Contains(".old"));
        Assert.Throws<FileNotFoundException>(() => PreparedSplit.Read(dir.Path));
    }
}
