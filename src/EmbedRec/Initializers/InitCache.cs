using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EmbedRec.Data;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Serialization;

namespace EmbedRec.Initializers;

/// <summary>How <see cref="InitCache.GetOrCompute"/> obtained its tensors.</summary>
public enum CacheOutcome
{
    /// <summary>Read from a valid entry.</summary>
    Hit,

    /// <summary>Computed and written (no entry existed).</summary>
    Computed,

    /// <summary>The entry was unreadable (checksum, truncation, another key): computed again and replaced.</summary>
    Replaced,

    /// <summary>Computed but not written: another writer held the entry longer than the wait limit.</summary>
    NotWritten,

    /// <summary>Computed with no cache (none configured, or <c>cache: false</c>).</summary>
    NoCache,
}

/// <summary>Tensors from the cache with their metadata and how they were obtained.</summary>
/// <param name="Tensors">F32 tensors by name.</param>
/// <param name="Ints">I32 vectors by name.</param>
/// <param name="Metadata">The string metadata stored with them.</param>
/// <param name="Outcome">Hit, computed, replaced or not written.</param>
public sealed record CachedTensors(IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, int[]> Ints,
    IReadOnlyDictionary<string, string> Metadata, CacheOutcome Outcome);

/// <summary>
/// Computed initial embeddings kept between runs, so that a grid of runs over one training set computes its
/// Leporid or SVD vectors once. An entry is a folder named by its key (a SHA-256 of the training data's
/// fingerprint, the initializer and every parameter that changes the result) holding one safetensors file
/// with its checksum. A reader verifies the checksum and the key stored inside; an entry that fails either
/// is computed again and replaced, never used. A writer holds the entry's <see cref="DirectoryLock"/> while
/// it computes and writes (through a temporary file and a rename); a second writer of the same entry, in
/// this process or another, waits for it and reads its result, and computes on its own (without writing)
/// only when the holder takes longer than the wait limit.
/// </summary>
/// <param name="directory">The cache folder, e.g. <see cref="DefaultDirectory"/>.</param>
/// <param name="waitLimit">How long a second writer waits for the holder; default 1 hour (a K = 1000 graph of 50,000 users takes minutes).</param>
public sealed class InitCache(string directory, TimeSpan? waitLimit = null)
{
    private const string FileName = "embedding.safetensors";
    private const string KeyField = "cache_key";
    private readonly TimeSpan _waitLimit = waitLimit ?? TimeSpan.FromHours(1);

    /// <summary>The cache folder.</summary>
    public string Directory { get; } = Path.GetFullPath(directory ?? throw new ArgumentNullException(nameof(directory)));

    /// <summary>
    /// <c>$EMBEDREC_CACHE/init</c> when set, else <c>$XDG_CACHE_HOME/embedrec/init</c>, else <c>~/.cache/embedrec/init</c>
    /// (beside the dataset cache of <c>DatasetRegistry.DefaultRoot</c>).
    /// </summary>
    public static string DefaultDirectory()
    {
        var env = Environment.GetEnvironmentVariable("EMBEDREC_CACHE");
        if (!string.IsNullOrWhiteSpace(env)) return Path.Combine(Path.GetFullPath(env), "init");
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrWhiteSpace(cache)) cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cache, "embedrec", "init");
    }

    /// <summary>The key of an entry: SHA-256 (hex) of the training data's fingerprint and the parameters, in the order given.</summary>
    public static string Key(DataFingerprint train, string method, params (string Name, object Value)[] parameters)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(method);
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"embedrec-init/1\ntrain {train.Rows} {train.Users} {train.Items} {train.Sha256}\nmethod {method}\n"));
        foreach (var (name, value) in parameters) text.Append(CultureInfo.InvariantCulture, $"{name}={Format(value)}\n");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static string Format(object value) => value switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>
    /// The entry <paramref name="key"/>, or what <paramref name="compute"/> returns, written as the entry.
    /// <paramref name="compute"/> may run more than once across processes only when a holder exceeds the wait limit.
    /// </summary>
    public CachedTensors GetOrCompute(string key, Func<(IReadOnlyList<KeyValuePair<string, Tensor>> Tensors, IReadOnlyList<KeyValuePair<string, int[]>> Ints,
        IReadOnlyDictionary<string, string> Metadata)> compute, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(compute);
        if (key.Length != 64 || !key.All(char.IsAsciiHexDigitLower)) throw new ArgumentException($"A cache key is 64 lowercase hex digits; got '{key}'.", nameof(key));
        var folder = Path.Combine(Directory, key);
        var file = Path.Combine(folder, FileName);
        if (TryRead(file, key, out var hit, out _)) return hit!;
        var deadline = DateTime.UtcNow + _waitLimit;
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            DirectoryLock? held = null;
            try { held = DirectoryLock.Acquire(folder); }
            catch (DirectoryLockedException) { }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Fresh(compute(), CacheOutcome.NotWritten); // a cache that cannot be written is only a missed speed-up
            }
            if (held is null)
            {
                if (DateTime.UtcNow > deadline) return Fresh(compute(), CacheOutcome.NotWritten);
                Thread.Sleep(100);
                if (TryRead(file, key, out hit, out _)) return hit!;
                continue;
            }
            using (held)
            {
                if (TryRead(file, key, out hit, out bool corrupt)) return hit!;
                var made = compute();
                var meta = new Dictionary<string, string>(made.Metadata) { [KeyField] = key };
                try
                {
                    SafeTensors.Save(file, made.Tensors, made.Ints, meta);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return Fresh(made, CacheOutcome.NotWritten);
                }
                return Fresh(made, corrupt ? CacheOutcome.Replaced : CacheOutcome.Computed);
            }
        }
    }

    private static CachedTensors Fresh((IReadOnlyList<KeyValuePair<string, Tensor>> Tensors, IReadOnlyList<KeyValuePair<string, int[]>> Ints,
        IReadOnlyDictionary<string, string> Metadata) made, CacheOutcome outcome) =>
        new(made.Tensors.ToDictionary(p => p.Key, p => p.Value), made.Ints.ToDictionary(p => p.Key, p => p.Value), made.Metadata, outcome);

    /// <summary>Reads a valid entry; false when there is none or it is corrupt (<paramref name="corrupt"/> then true).</summary>
    private static bool TryRead(string file, string key, out CachedTensors? entry, out bool corrupt)
    {
        entry = null;
        corrupt = false;
        if (!File.Exists(file)) return false;
        try
        {
            var (entries, meta) = SafeTensors.Read(file, SafeTensors.Checks.Checksum | SafeTensors.Checks.Finite);
            if (!meta.TryGetValue(KeyField, out var stored) || stored != key) throw new InvalidDataException($"'{file}' holds another key.");
            var rest = meta.Where(p => p.Key != KeyField).ToDictionary(p => p.Key, p => p.Value);
            entry = new CachedTensors(entries.Where(e => e.Tensor is not null).ToDictionary(e => e.Name, e => e.Tensor!),
                entries.Where(e => e.Ints is not null).ToDictionary(e => e.Name, e => e.Ints!), rest, CacheOutcome.Hit);
            return true;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            corrupt = true;
            return false;
        }
    }
}
