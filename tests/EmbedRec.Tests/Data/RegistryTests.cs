using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using EmbedRec.Data;
using EmbedRec.Data.Registry;
using Xunit;

namespace EmbedRec.Tests.Data;

/// <summary>Fetching from a loopback HTTP server; the tests never touch the internet.</summary>
public sealed class RegistryTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly HttpListener _server = new();
    private readonly Dictionary<string, byte[]> _files = [];
    private readonly string _base;

    public RegistryTests()
    {
        for (int attempt = 0; ; attempt++)
        {
            int port = 20000 + Random.Shared.Next(30000);
            _base = $"http://127.0.0.1:{port}/";
            _server.Prefixes.Clear();
            _server.Prefixes.Add(_base);
            try { _server.Start(); break; }
            catch (HttpListenerException) when (attempt < 20) { }
        }
        _ = Task.Run(Serve);
    }

    private async Task Serve()
    {
        while (_server.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await _server.GetContextAsync(); } catch { return; }
            var path = ctx.Request.Url!.AbsolutePath.TrimStart('/');
            if (_files.TryGetValue(path, out var body))
            {
                ctx.Response.ContentLength64 = body.Length;
                await ctx.Response.OutputStream.WriteAsync(body);
            }
            else ctx.Response.StatusCode = 404;
            ctx.Response.Close();
        }
    }

    public void Dispose()
    {
        _server.Stop();
        _server.Close();
        _dir.Dispose();
    }

    private static string Sha(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b));

    private DatasetRegistry Registry(params DatasetEntry[] entries) => new(Path.Combine(_dir.Path, "root"), entries);

    [Fact]
    public async Task FetchesVerifiesAndLoadsAPlainFile()
    {
        var body = "1 10\n1 11\n2 10\n"u8.ToArray();
        _files["pairs.txt"] = body;
        var entry = new DatasetEntry("tiny", "fixture", "tiny", [new(DatasetLayout.Pairs, "pairs.txt")],
            [new(_base + "pairs.txt", "pairs.txt", Sha256: Sha(body))], "", "loo", "test");
        var reg = Registry(entry);
        var reports = new List<FetchProgress>();
        using var http = new HttpClient();
        var placed = await new DatasetFetcher(http).FetchAsync(reg, entry, progress: new SyncProgress(reports));
        Assert.Single(placed);
        Assert.Equal(body.Length, reports[^1].Bytes);
        var ds = reg.Load("tiny");
        Assert.Equal(3, ds.Log.Count);
    }

    [Fact]
    public async Task WrongChecksumSavesNothing()
    {
        _files["pairs.txt"] = "1 10\n"u8.ToArray();
        var entry = new DatasetEntry("tiny", "fixture", "tiny", [new(DatasetLayout.Pairs, "pairs.txt")],
            [new(_base + "pairs.txt", "pairs.txt", Sha256: new string('0', 64))], "", "loo", "test");
        var reg = Registry(entry);
        using var http = new HttpClient();
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => new DatasetFetcher(http).FetchAsync(reg, entry));
        Assert.Contains("SHA-256 is", e.Message);
        Assert.Empty(Directory.GetFiles(reg.FolderOf(entry)));
        var missing = new DatasetEntry("gone", "fixture", "gone", [new(DatasetLayout.Pairs, "x.txt")], [new(_base + "nothing", "x.txt", Size: 1)], "", "loo", "t");
        await Assert.ThrowsAsync<HttpRequestException>(() => new DatasetFetcher(http).FetchAsync(Registry(missing), missing));
        var unverified = new DatasetEntry("raw", "fixture", "raw", [new(DatasetLayout.Pairs, "pairs.txt")], [new(_base + "pairs.txt", "pairs.txt")], "", "loo", "t");
        await Assert.ThrowsAsync<InvalidOperationException>(() => new DatasetFetcher(http).FetchAsync(Registry(unverified), unverified));
        var fetcher = new DatasetFetcher(http);
        await fetcher.FetchAsync(Registry(unverified), unverified, allowUnverified: true);
        Assert.Equal(Sha(_files["pairs.txt"]), fetcher.ComputedSha256.Values.Single());
    }

    [Fact]
    public async Task ExtractsArchiveMembersAfterMd5Check()
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, true))
        {
            using (var w = new StreamWriter(zip.CreateEntry("ml-x/u.data").Open())) w.Write("1\t2\t5\t100\n2\t2\t4\t101\n");
            using (var w = new StreamWriter(zip.CreateEntry("ml-x/other.txt").Open())) w.Write("ignored");
        }
        var bytes = ms.ToArray();
        _files["ml-x.zip"] = bytes;
        var md5 = Convert.ToHexStringLower(MD5.HashData(bytes));
        var entry = new DatasetEntry("ml-x", "fixture", "ml-x", [new(DatasetLayout.MovieLens, ".")],
            [new(_base + "ml-x.zip", "ml-x.zip", Md5: md5, Members: new Dictionary<string, string> { ["ml-x/u.data"] = "u.data" })], "", "loo", "t");
        var reg = Registry(entry);
        using var http = new HttpClient();
        await new DatasetFetcher(http).FetchAsync(reg, entry);
        Assert.Equal(new[] { "u.data" }, Directory.GetFiles(reg.FolderOf(entry)).Select(Path.GetFileName));
        Assert.Equal(2, reg.Load("ml-x").Log.Count);
    }

    [Fact]
    public void UnknownNamesAndMissingFilesAreExplained()
    {
        var reg = Registry(KnownDatasets.All.ToArray());
        var e = Assert.Throws<KeyNotFoundException>(() => reg.Load("netflix"));
        Assert.Contains("amazon-beauty", e.Message);
        var f = Assert.Throws<FileNotFoundException>(() => reg.Load("gowalla"));
        Assert.Contains("embedrec data fetch gowalla", f.Message);
        Assert.Contains("train.txt + test.txt", f.Message);
    }

    private sealed class SyncProgress(List<FetchProgress> sink) : IProgress<FetchProgress>
    {
        public void Report(FetchProgress value) => sink.Add(value);
    }
}
