using System.Net;
using System.Net.Sockets;
using System.Text;
using EmbedRec.Data.Registry;
using Xunit;

namespace EmbedRec.Tests.Data;

/// <summary>
/// Issue 15 §6: a download from a server that stalls ends in seconds with a one-line <see cref="TimeoutException"/>
/// naming the URL, and a cancelled one leaves no partial file. The server is a raw socket on 127.0.0.1 that
/// answers only what each test says; nothing leaves the machine.
/// </summary>
public sealed class FetchTimeoutTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly TcpListener _server = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _clients = [];
    private readonly CancellationTokenSource _stop = new();

    public FetchTimeoutTests() => _server.Start();

    public void Dispose()
    {
        _stop.Cancel();
        _server.Stop();
        lock (_clients) foreach (var c in _clients) c.Dispose();
        _dir.Dispose();
    }

    /// <summary>Accepts connections; sends <paramref name="headers"/> (null: nothing at all) and <paramref name="bodyBytes"/> bytes, then holds the connection open.</summary>
    private string Serve(string? headers, int bodyBytes)
    {
        _ = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await _server.AcceptTcpClientAsync(_stop.Token); } catch { return; }
                lock (_clients) _clients.Add(client);
                var stream = client.GetStream();
                var request = new byte[4096];
                try
                {
                    int got = 0;
                    while (!Encoding.ASCII.GetString(request, 0, got).Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        int n = await stream.ReadAsync(request.AsMemory(got), _stop.Token);
                        if (n == 0) break;
                        got += n;
                    }
                    if (headers is null) continue;
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(headers), _stop.Token);
                    await stream.WriteAsync(new byte[bodyBytes], _stop.Token);
                    await stream.FlushAsync(_stop.Token);
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException) { }
            }
        });
        return $"http://127.0.0.1:{((IPEndPoint)_server.LocalEndpoint).Port}/stall.txt";
    }

    private (DatasetRegistry Registry, DatasetEntry Entry) Dataset(string url)
    {
        var entry = new DatasetEntry("stall", "a server that stalls", "stall", [new LayoutOption(DatasetLayout.Pairs, "stall.txt")],
            [new RemoteFile(url, "stall.txt", Size: 1_000_000)], "", "loo", "test");
        return (new DatasetRegistry(Path.Combine(_dir.Path, "root"), [entry]), entry);
    }

    private static void AssertNothingPlaced(DatasetRegistry reg, DatasetEntry entry)
    {
        var folder = reg.FolderOf(entry);
        Assert.Empty(Directory.Exists(folder) ? Directory.GetFileSystemEntries(folder) : []);
    }

    [Fact]
    public async Task AServerThatNeverAnswersTimesOutInSeconds()
    {
        var (reg, entry) = Dataset(Serve(headers: null, 0));
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var fetcher = new DatasetFetcher(http) { ConnectTimeout = TimeSpan.FromSeconds(1) };
        var e = await Assert.ThrowsAsync<TimeoutException>(() => fetcher.FetchAsync(reg, entry));
        Assert.Equal($"GET {entry.Sources[0].Url}: no answer within 1 s (connect timeout); nothing was saved.", e.Message);
        AssertNothingPlaced(reg, entry);
    }

    [Fact]
    public async Task ABodyThatStallsTimesOutAndLeavesNoPartialFile()
    {
        var (reg, entry) = Dataset(Serve("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n", 1000));
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var fetcher = new DatasetFetcher(http) { IdleTimeout = TimeSpan.FromSeconds(1) };
        var reports = new List<FetchProgress>();
        var e = await Assert.ThrowsAsync<TimeoutException>(() => fetcher.FetchAsync(reg, entry, progress: new Sink(reports.Add)));
        Assert.Equal($"GET {entry.Sources[0].Url}: no data for 1 s after 1,000 bytes (idle timeout); nothing was saved.", e.Message);
        Assert.Equal(new FetchProgress("stall.txt", 0, 1_000_000), reports[0]);
        AssertNothingPlaced(reg, entry);
    }

    [Fact]
    public async Task CancellingADownloadRemovesThePartialFile()
    {
        var (reg, entry) = Dataset(Serve("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n", 300_000));
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var cancel = new CancellationTokenSource();
        string? partial = null;
        var folder = reg.FolderOf(entry);
        // Cancel once the partial download is on disk with bytes in it (the 256 KiB progress report), as Ctrl-C would.
        var progress = new Sink(f =>
        {
            if (f.Bytes == 0) return;
            partial = Directory.GetFiles(folder, ".stall.txt.*.download").Single();
            cancel.Cancel();
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new DatasetFetcher(http).FetchAsync(reg, entry, progress: progress, cancel: cancel.Token));
        Assert.NotNull(partial);
        Assert.False(File.Exists(partial));
        AssertNothingPlaced(reg, entry);
    }

    private sealed class Sink(Action<FetchProgress> report) : IProgress<FetchProgress>
    {
        public void Report(FetchProgress value) => report(value);
    }
}
