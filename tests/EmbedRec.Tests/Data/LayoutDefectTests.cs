using EmbedRec.Data;
using EmbedRec.Data.Registry;
using Xunit;

namespace EmbedRec.Tests.Data;

/// <summary>The three defects of issue 15 §4, each as the file that showed it.</summary>
public sealed class LayoutDefectTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void UserItemRatingFileKeepsRatingsOutOfTheItems()
    {
        var log = DatasetLoader.LoadPath(_dir.File("r.txt", "1 10 5\n1 20 3\n2 10 4\n")).Log;
        Assert.Equal(new[] { "10", "20" }, log.Items.External);
        Assert.Equal(new[] { 5f, 3f, 4f }, log.Rating);
        Assert.Equal(3, log.Count);
    }

    [Fact]
    public void HeaderLineIsNotAUserAndAnItem()
    {
        var log = DatasetLoader.LoadPath(_dir.File("h.txt", "user_id item_id\n1 10\n1 20\n2 10\n")).Log;
        Assert.Equal(new[] { "1", "2" }, log.Users.External);
        Assert.Equal(new[] { "10", "20" }, log.Items.External);
    }

    [Fact]
    public void BinaryFileIsRejectedNotReadAsUsers()
    {
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);
        var p = System.IO.Path.Combine(_dir.Path, "embedding.npy");
        File.WriteAllBytes(p, [.. "\x93NUMPY\x01\x00"u8.ToArray(), .. bytes]);
        var e = Assert.Throws<DataFormatException>(() => DatasetLoader.LoadPath(p));
        Assert.Equal(1, e.Line);
        Assert.Contains("binary", e.Message);
    }
}
