using EmbedRec.Data;
using EmbedRec.Data.Readers;
using EmbedRec.Data.Registry;
using EmbedRec.Data.Splits;
using Xunit;

namespace EmbedRec.Tests.Data;

public sealed class ReaderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void MovieLensRatingsAndGenres()
    {
        _dir.File("ml/ratings.dat", "1::10::5::978300760\n1::20::3::978302109\n2::10::4::978301968\n");
        _dir.File("ml/movies.dat", "10::Toy Story (1995)::Animation|Children's|Comedy\n20::Jumanji (1995)::Adventure|Children's\n");
        var log = MovieLensReader.ReadFolder(System.IO.Path.Combine(_dir.Path, "ml"));
        Assert.Equal(3, log.Count);
        Assert.Equal(new[] { "1", "2" }, log.Users.External);
        Assert.Equal(new[] { "10", "20" }, log.Items.External);
        Assert.Equal(new[] { 5f, 3f, 4f }, log.Rating);
        Assert.Equal(978300760L, log.Timestamp![0]);
        Assert.Equal(new[] { "Animation", "Children's", "Comedy", "Adventure" }, log.Categories!.Names);
        Assert.Equal(new[] { 3, 1 }, log.Categories.Of(1).ToArray());
    }

    [Fact]
    public void MovieLens100kWithGenreFlags()
    {
        _dir.File("m/u.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n");
        _dir.File("m/u.genre", "unknown|0\nAction|1\nComedy|2\n\n");
        _dir.File("m/u.item", "242|Kolya (1996)|24-Jan-1997||http://x|0|0|1\n302|L.A. Confidential (1997)|01-Jan-1997||http://y|0|1|1\n");
        var log = MovieLensReader.ReadFolder(System.IO.Path.Combine(_dir.Path, "m"));
        Assert.Equal(2, log.Count);
        Assert.Equal(new[] { 2 }, log.Categories!.Of(log.Items.Dense("242")).ToArray());
        Assert.Equal(new[] { 1, 2 }, log.Categories.Of(log.Items.Dense("302")).ToArray());
    }

    [Fact]
    public void MalformedLinesNameFileAndLine()
    {
        var p = _dir.File("bad.dat", "1::10::5::978300760\n\n1::20::x::978302109\n");
        var e = Assert.Throws<DataFormatException>(() => MovieLensReader.ReadRatings(p));
        Assert.Equal(3, e.Line);
        Assert.Contains("bad.dat:3:", e.Message);
        Assert.Contains("rating 'x'", e.Message);
        var p2 = _dir.File("short.dat", "1::10::5\n");
        Assert.Contains("4 fields", Assert.Throws<DataFormatException>(() => MovieLensReader.ReadRatings(p2)).Message);
        var p3 = _dir.File("pairs.txt", "1 2\n3 4 5\n");
        var e3 = Assert.Throws<DataFormatException>(() => PairsReader.Read(p3));
        Assert.Equal(2, e3.Line);
        var p4 = _dir.File("cite.dat", "2 5 6\n3 1 2\n");
        var e4 = Assert.Throws<DataFormatException>(() => UserLinesReader.CountFirst(p4));
        Assert.Contains("count 3 but lists 2", e4.Message);
        Assert.Throws<FileNotFoundException>(() => PairsReader.Read(System.IO.Path.Combine(_dir.Path, "none.txt")));
    }

    [Fact]
    public void DelimitedWithHeaderOrMapping()
    {
        var p = _dir.File("a.csv", "ts,item,user,score\n100,i1,u1,4.5\n90,i2,u1,3\n");
        var log = DelimitedReader.Read(p, new DelimitedOptions { RatingColumn = "score", TimestampColumn = "ts" }).Build();
        Assert.Equal(new[] { 4.5f, 3f }, log.Rating);
        Assert.Equal(new long[] { 100, 90 }, log.Timestamp);
        var byUser = log.ByUser();
        Assert.Equal(new[] { 1, 0 }, byUser.Of(0).ToArray()); // chronological by timestamp
        var t = _dir.File("b.tsv", "u1\ti1\nu2\ti1\n");
        var log2 = DelimitedReader.Read(t, new DelimitedOptions { Delimiter = "\t", HasHeader = false, UserColumn = "0", ItemColumn = "1" }).Build();
        Assert.Equal(2, log2.UserCount);
        var e = Assert.Throws<DataFormatException>(() => DelimitedReader.Read(p, new DelimitedOptions { UserColumn = "who" }));
        Assert.Contains("no column 'who'", e.Message);
        var bad = _dir.File("c.csv", "user,item\nu1\n");
        Assert.Equal(2, Assert.Throws<DataFormatException>(() => DelimitedReader.Read(bad)).Line);
    }

    [Fact]
    public void AtomicRoundTrip()
    {
        var p = _dir.File("x.inter", "user_id:token\titem_id:token\trating:float\ttimestamp:float\na\tq\t4\t10\nb\tr\t5\t11\n");
        var log = AtomicReader.Read(p).Build(p);
        Assert.Equal(new[] { 4f, 5f }, log.Rating);
        var out1 = System.IO.Path.Combine(_dir.Path, "y.inter");
        AtomicReader.Write(out1, log);
        var again = AtomicReader.Read(out1).Build();
        Assert.Equal(log.Users.External, again.Users.External);
        Assert.Equal(log.Timestamp, again.Timestamp);
        var bad = _dir.File("z.inter", "user_id\titem_id:token\n");
        Assert.Contains("name:type", Assert.Throws<DataFormatException>(() => AtomicReader.Read(bad)).Message);
    }

    [Fact]
    public void UserLinesAndCountFirst()
    {
        var p = _dir.File("u.txt", "0 5 3 9\n1 2\n");
        var log = UserLinesReader.Read(p).Build();
        Assert.Equal(4, log.Count);
        Assert.Equal(new[] { "2", "3", "5", "9" }, log.Items.External); // numeric ids keep numeric order
        Assert.Equal(log.Items.Dense("5"), log.Item[0]);
        var c = _dir.File("c.dat", "2 7 8\n1 7\n");
        var cl = UserLinesReader.CountFirst(c).Build();
        Assert.Equal(new[] { "0", "1" }, cl.Users.External);
        Assert.Equal(3, cl.Count);
    }

    [Fact]
    public void PredefinedSplitsShareIds()
    {
        var tr = _dir.File("s/train.txt", "0 1 2\n1 2\n");
        var te = _dir.File("s/test.txt", "0 3\n1 0\n");
        var split = PredefinedSplit.Read(tr, te, PredefinedFormat.UserLines);
        Assert.Equal(4, split.ItemCount);
        Assert.Same(split.Train.Items, split.Test.Items);
        Assert.Equal(0, split.Valid.Count);
        var a = _dir.File("d/train.csv", "user,item\n0,1\n1,2\n");
        var b = _dir.File("d/test.csv", "user,item\n0,2\n");
        var csv = PredefinedSplit.Read(a, b, PredefinedFormat.Csv);
        Assert.Equal(2, csv.Train.Count);
        Assert.Equal(1, csv.Test.Count);
        var loaded = DatasetLoader.LoadPath(System.IO.Path.Combine(_dir.Path, "s"));
        Assert.Equal(DatasetLayout.SplitUserLines, loaded.Layout);
        Assert.Equal(5, loaded.Log.Count);
    }

    [Fact]
    public void LayoutIsGuessedFromPaths()
    {
        Assert.Equal(DatasetLayout.Pairs, DatasetLoader.LoadPath(_dir.File("p.txt", "1 2\n1 3\n")).Layout);
        Assert.Equal(DatasetLayout.UserLines, DatasetLoader.LoadPath(_dir.File("q.txt", "1 2 3\n2 4\n")).Layout);
        Assert.Equal(DatasetLayout.Csv, DatasetLoader.LoadPath(_dir.File("r.csv", "user,item\n1,2\n")).Layout);
        Assert.Equal(DatasetLayout.CountFirst, DatasetLoader.LoadPath(_dir.File("users.dat", "1 2\n"), "count-first").Layout);
        Assert.Throws<FormatException>(() => DatasetLoader.LoadPath(_dir.File("s.txt", "1 2\n"), "parquet"));
        Assert.Throws<DataFormatException>(() => DatasetLoader.LoadPath(_dir.File("e.txt", "\n\n")));
    }
}
