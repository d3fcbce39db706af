using System.IO.Compression;
using System.Security.Cryptography;

namespace EmbedRec.Data.Registry;

/// <summary>Download progress of one file.</summary>
/// <param name="File">The file being downloaded.</param>
/// <param name="Bytes">Bytes received.</param>
/// <param name="Total">Expected bytes, when the server says.</param>
public readonly record struct FetchProgress(string File, long Bytes, long? Total);

/// <summary>
/// Downloads a dataset's sources into its folder, verifying each against its checksum (SHA-256, MD5 or
/// size) before anything is placed: downloads go to temporary files that are renamed only after the
/// checks pass, archives are extracted the same way, and on any failure the temporary files are removed.
/// The dataset's folder is locked (<see cref="DirectoryLock"/>, with its lock file under
/// <see cref="LockFolder"/>) while it downloads, so a second fetch of the same dataset is refused at once
/// with the first one's pid. A server that does not answer within <see cref="ConnectTimeout"/>, or stops
/// sending for <see cref="IdleTimeout"/>, fails the download with a <see cref="TimeoutException"/> naming the
/// URL; cancelling it (Ctrl-C in the CLI) removes the partial download as well.
/// </summary>
public sealed class DatasetFetcher(HttpClient http)
{
    /// <summary>
    /// How long a request may take to connect and receive the response headers (default 20 s: curl and wget
    /// connect far faster on any working link; HttpClient's own 100 s default would leave a dead server
    /// looking like a slow one).
    /// </summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long the body may stall without a single byte before the download is abandoned (default 30 s);
    /// a slow but live transfer is never cut off.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Fetches every source of <paramref name="entry"/>; returns the files placed.</summary>
    public async Task<IReadOnlyList<string>> FetchAsync(DatasetRegistry registry, DatasetEntry entry, bool allowUnverified = false,
        IProgress<FetchProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Sources.Count == 0)
            throw new InvalidOperationException($"Dataset '{entry.Name}' has no public download; place its files in '{registry.FolderOf(entry)}'.");
        var unverified = entry.Sources.Where(s => !s.Verifiable).ToList();
        if (unverified.Count > 0 && !allowUnverified)
            throw new InvalidOperationException($"No checksum is known for {string.Join(", ", unverified.Select(s => s.Url))}; " +
                "pass --allow-unverified to download it anyway (its SHA-256 is then printed).");
        var folder = registry.FolderOf(entry);
        using var cacheLock = DirectoryLock.Acquire(folder, LockFolder(registry, entry));
        var placed = new List<string>();
        var temps = new List<string>();
        try
        {
            var staged = new List<(string Temp, string Final)>();
            foreach (var src in entry.Sources)
            {
                var tmp = Path.Combine(folder, "." + src.FileName + "." + Guid.NewGuid().ToString("N")[..8] + ".download");
                temps.Add(tmp);
                await DownloadAsync(src, tmp, progress, cancel).ConfigureAwait(false);
                if (src.Members is null) { staged.Add((tmp, Path.Combine(folder, src.FileName))); continue; }
                using var zip = ZipFile.OpenRead(tmp);
                foreach (var (member, local) in src.Members)
                {
                    var e = zip.GetEntry(member) ?? throw new InvalidDataException($"{src.Url}: the archive has no member '{member}'.");
                    var mtmp = Path.Combine(folder, "." + local + "." + Guid.NewGuid().ToString("N")[..8] + ".extract");
                    temps.Add(mtmp);
                    e.ExtractToFile(mtmp);
                    staged.Add((mtmp, Path.Combine(folder, local)));
                }
            }
            foreach (var (tmp, final) in staged)
            {
                File.Move(tmp, final, overwrite: true);
                placed.Add(final);
            }
            return placed;
        }
        finally
        {
            foreach (var t in temps) if (File.Exists(t)) File.Delete(t);
        }
    }

    /// <summary>Where the lock of a dataset's folder lives: under the data root, so the folder holds nothing but the dataset.</summary>
    public static string LockFolder(DatasetRegistry registry, DatasetEntry entry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(entry);
        return Path.Combine(registry.Root, ".locks", entry.Folder);
    }

    private static string Seconds(TimeSpan t) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.#} s");

    /// <summary>The SHA-256 of the last download of each unverified source, for the user to record.</summary>
    public Dictionary<string, string> ComputedSha256 { get; } = [];

    private async Task DownloadAsync(RemoteFile src, string tmp, IProgress<FetchProgress>? progress, CancellationToken cancel)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timer.CancelAfter(ConnectTimeout);
        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync(src.Url, HttpCompletionOption.ResponseHeadersRead, timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancel.IsCancellationRequested)
        {
            throw new TimeoutException($"GET {src.Url}: no answer within {Seconds(timer.IsCancellationRequested ? ConnectTimeout : http.Timeout)} (connect timeout); nothing was saved.", e);
        }
        using var _ = response;
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"GET {src.Url} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
        long? total = response.Content.Headers.ContentLength;
        progress?.Report(new FetchProgress(src.FileName, 0, total));
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        long bytes = 0;
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(timer.Token).ConfigureAwait(false);
            await using var file = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write);
            var buffer = new byte[1 << 16];
            long lastReport = 0;
            while (true)
            {
                timer.CancelAfter(IdleTimeout);
                int n = await body.ReadAsync(buffer, timer.Token).ConfigureAwait(false);
                if (n == 0) break;
                await file.WriteAsync(buffer.AsMemory(0, n), cancel).ConfigureAwait(false);
                sha.AppendData(buffer, 0, n);
                md5.AppendData(buffer, 0, n);
                bytes += n;
                if (bytes - lastReport >= 1 << 18) { progress?.Report(new FetchProgress(src.FileName, bytes, total)); lastReport = bytes; }
            }
        }
        catch (OperationCanceledException e) when (!cancel.IsCancellationRequested)
        {
            throw new TimeoutException($"GET {src.Url}: no data for {Seconds(IdleTimeout)} after {bytes:N0} bytes (idle timeout); nothing was saved.", e);
        }
        progress?.Report(new FetchProgress(src.FileName, bytes, total ?? bytes));
        string shaHex = Convert.ToHexStringLower(sha.GetHashAndReset()), md5Hex = Convert.ToHexStringLower(md5.GetHashAndReset());
        if (src.Size is { } size && size != bytes)
            throw new InvalidDataException($"{src.Url}: received {bytes} bytes, expected {size}; nothing was saved.");
        if (src.Sha256 is { } want && !want.Equals(shaHex, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{src.Url}: SHA-256 is {shaHex}, expected {want}; nothing was saved.");
        if (src.Md5 is { } wantMd5 && !wantMd5.Equals(md5Hex, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{src.Url}: MD5 is {md5Hex}, expected {wantMd5}; nothing was saved.");
        if (!src.Verifiable) ComputedSha256[src.Url] = shaHex;
    }
}
