using EmbedRec.Data;
using EmbedRec.Data.Readers;
using EmbedRec.Data.Registry;
using Xunit;

namespace EmbedRec.Tests.Data;

public sealed class LayoutDetectionTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Lines(int n, Func<int, string> line) => string.Concat(Enumerable.Range(0, n).Select(r => line(r) + "\n"));

    [Fact]
    public void TabSeparatedRatingsSayWhatWasSeen()
    {
        var p = _dir.File("u.data", Lines(1200, r => $"{r % 7}\t{r % 11}\t{1 + r % 5}\t{880_000_000 + r}"));
        var d = LayoutDetector.Detect(p);
        Assert.Equal(DatasetLayout.Csv, d.Layout);
        Assert.Equal("tab-separated, 4 fields in all 1,000 sampled lines (all numeric), no header: user item rating time "
            + "(field 3 whole numbers 1–5: rating; field 4 whole numbers 880,000,000–880,000,999: time)", d.Reason);
        var ds = DatasetLoader.LoadPath(p);
        Assert.Equal(1200, ds.Log.Count);
        Assert.Equal(d.Reason, ds.Reason);
    }

    [Fact]
    public void TimeBeforeRatingAndDoubleColonAreTold()
    {
        var p = _dir.File("ratings.dat", "1::10::978300760::4.5\n1::20::978300761::3\n2::10::978300762::4\n");
        var log = DatasetLoader.LoadPath(p).Log;
        Assert.Equal(new[] { 4.5f, 3f, 4f }, log.Rating);
        Assert.Equal(978300762L, log.Timestamp![2]);
    }

    [Fact]
    public void KnownHeaderNamesMapTheColumns()
    {
        var p = _dir.File("ml25.csv", "userId,movieId,rating,timestamp,tag\n1,296,5.0,1147880044,x\n1,306,3.5,1147868817,y\n2,296,4,1147868828,z\n");
        var ds = DatasetLoader.LoadPath(p);
        Assert.Contains("header on line 1: user=userId item=movieId rating=rating time=timestamp (ignored: tag)", ds.Reason);
        Assert.Equal(new[] { "296", "306" }, ds.Log.Items.External);
        Assert.Equal(new[] { 5f, 3.5f, 4f }, ds.Log.Rating);
        var atomic = _dir.File("a.txt", "user_id:token\titem_id:token\nu\ti\n");
        Assert.Equal(DatasetLayout.Atomic, LayoutDetector.Detect(atomic).Layout);
    }

    [Fact]
    public void UnknownHeaderAsksForColumnsAndColumnsReadIt()
    {
        var p = _dir.File("map.tsv", "who\twhat\twhen\n1\t10\t1000000000\n2\t10\t1000000001\n");
        var e = Assert.Throws<DataFormatException>(() => DatasetLoader.LoadPath(p));
        Assert.Equal(1, e.Line);
        Assert.Contains("looks like a header", e.Message);
        Assert.Contains("--columns", e.Message);
        var ds = DatasetLoader.LoadPath(p, columns: ColumnMap.Parse("user=who,item=what,time=when"));
        Assert.Equal(new long[] { 1_000_000_000, 1_000_000_001 }, ds.Log.Timestamp);
        Assert.Contains("--columns user=who,item=what,time=when", ds.Reason);
        var byIndex = DatasetLoader.LoadPath(p, columns: ColumnMap.Parse("user=1,item=0"));
        Assert.Equal(new[] { "1", "2" }, byIndex.Log.Items.External); // header skipped, columns swapped
        var missing = Assert.Throws<DataFormatException>(() => DatasetLoader.LoadPath(p, columns: ColumnMap.Parse("user=user_id,item=what")));
        Assert.Contains("'user_id'", missing.Message);
    }

    [Fact]
    public void UnsureLayoutsAskInsteadOfGuessing()
    {
        var sameLength = _dir.File("s.txt", "1 10 5\n2 11 4\n3 10 3\n"); // one user per line, or user item rating?
        var e = Assert.Throws<DataFormatException>(() => DatasetLoader.LoadPath(sameLength));
        Assert.Contains("--format user-lines", e.Message);
        Assert.Equal(6, DatasetLoader.LoadPath(sameLength, "user-lines").Log.Count);
        Assert.Equal(new[] { 5f, 4f, 3f }, DatasetLoader.LoadPath(sameLength, "csv", ColumnMap.Parse("user=0,item=1,rating=2")).Log.Rating);
        var wide = _dir.File("w.csv", "1,2,3,4,5\n1,3,3,4,5\n");
        Assert.Contains("--columns", Assert.Throws<DataFormatException>(() => DatasetLoader.LoadPath(wide)).Message);
        var unclear = _dir.File("c.csv", "1,2,5000\n1,3,7000\n"); // neither a rating nor a time
        Assert.Contains("neither clearly a rating", Assert.Throws<DataFormatException>(() => DatasetLoader.LoadPath(unclear)).Message);
        var single = _dir.File("one.txt", "1\n2\n");
        Assert.Equal(1, Assert.Throws<DataFormatException>(() => DatasetLoader.LoadPath(single)).Line);
    }

    [Fact]
    public void BadLinesAreNamedInsideAndBeyondTheSample()
    {
        var inside = _dir.File("in.txt", "1 10 5\n1 20 x\n2 10 4\n");
        var e = Assert.Throws<DataFormatException>(() => DatasetLoader.LoadPath(inside));
        Assert.Equal(2, e.Line);
        Assert.Contains("'x'", e.Message);
        var shortLine = _dir.File("short.csv", "1,10,5\n1,20\n2,10,4\n");
        Assert.Equal(2, Assert.Throws<DataFormatException>(() => DatasetLoader.LoadPath(shortLine)).Line);
        var beyond = _dir.File("far.txt", Lines(1500, r => $"{r % 9} {r}") + "3 4 5\n");
        var far = Assert.Throws<DataFormatException>(() => DatasetLoader.LoadPath(beyond));
        Assert.Equal(1501, far.Line);
        Assert.Contains("far.txt:1501:", far.Message);
        var nul = _dir.File("nul.txt", "1 2\n1 3\n2\0 4\n");
        Assert.Equal(3, Assert.Throws<DataFormatException>(() => PairsReader.Read(nul)).Line);
    }

    [Fact]
    public void ColumnMapParsesAndNamesTheBadPart()
    {
        Assert.Equal(new ColumnMap("user_id", "item_id", null, "ts"), ColumnMap.Parse("user=user_id, item=item_id,time=ts"));
        Assert.Equal(new ColumnMap("0", "1", "2", "3"), ColumnMap.Parse("user=0,item=1,rating=2,timestamp=3"));
        Assert.Equal("user=a,item=b,rating=c", ColumnMap.Parse("item=b,user=a,rating=c").ToString());
        Assert.Contains("unknown key 'usr' in 'usr=x'", Assert.Throws<FormatException>(() => ColumnMap.Parse("usr=x,item=y")).Message);
        Assert.Contains("part 'item'", Assert.Throws<FormatException>(() => ColumnMap.Parse("user=a,item")).Message);
        Assert.Contains("'user=b' maps user a second time", Assert.Throws<FormatException>(() => ColumnMap.Parse("user=a,user=b,item=c")).Message);
        Assert.Contains("no item=", Assert.Throws<FormatException>(() => ColumnMap.Parse("user=a")).Message);
        Assert.Contains("negative", Assert.Throws<FormatException>(() => ColumnMap.Parse("user=-1,item=0")).Message);
    }

    [Fact]
    public void RegistryLayoutsSayTheyWereRegisteredAndRefuseColumns()
    {
        var root = System.IO.Path.Combine(_dir.Path, "root");
        _dir.File("root/tiny/pairs.txt", "1 10\n1 11\n");
        var reg = new DatasetRegistry(root, [new DatasetEntry("tiny", "t", "tiny", [new(DatasetLayout.Pairs, "pairs.txt")], [], "", "loo", "t")]);
        Assert.Equal("registered dataset 'tiny': user item per line, file order is the time order (pairs.txt)", reg.Load("tiny").Reason);
        Assert.Throws<ArgumentException>(() => reg.Load("tiny", columns: ColumnMap.Parse("user=0,item=1")));
    }
}
