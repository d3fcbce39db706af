using System.Text.Json;
using System.Text.RegularExpressions;

namespace EmbedRec.Data;

/// <summary>
/// A kind of directory EmbedRec writes, and the files it writes there: the only files
/// <see cref="OwnedDirectory.Clear"/> may delete. A file EmbedRec writes through <see cref="AtomicFile"/>
/// also owns its temporary name (<c>.name.xxxxxxxx.tmp</c>, left behind by a crash).
/// </summary>
public sealed partial class DirectoryKind
{
    private readonly HashSet<string> _files;
    private readonly Func<string, bool>? _signed;

    /// <summary>Creates a kind.</summary>
    /// <param name="name">The name recorded in the marker, e.g. "run".</param>
    /// <param name="files">File names EmbedRec writes into such a directory.</param>
    /// <param name="signed">Recognizes a directory of this kind written before the marker existed (from a file only EmbedRec writes), or null.</param>
    public DirectoryKind(string name, IEnumerable<string> files, Func<string, bool>? signed = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(files);
        Name = name;
        _files = new HashSet<string>(files, StringComparer.Ordinal);
        _signed = signed;
    }

    /// <summary>
    /// A run directory (<see cref="Training.RunDirectory"/>): configuration, checkpoints, resume state (and the
    /// three resume files of older versions, so <c>--force</c> replaces such runs), history, metrics and the report with its plots.
    /// </summary>
    public static DirectoryKind Run { get; } = new("run",
    [
        "config.yaml", "data.json", "checkpoint.safetensors", "resume.safetensors", "last.safetensors", "optimizer.safetensors", "state.json",
        "history.csv", "metrics.json", "report.md", "loss.svg", "valid.svg", "erank.svg", "spectrum.svg", "embeddings.safetensors",
    ]);

    /// <summary>
    /// A prepared split (<see cref="PreparedSplit"/>); its <c>split.json</c>, whose format is
    /// <c>embedrec-split/…</c>, names it as one.
    /// </summary>
    public static DirectoryKind Split { get; } = new("split",
        ["train.inter", "valid.inter", "test.inter", "users.txt", "items.txt", "split.json"], IsPreparedSplit);

    /// <summary>The name recorded in the marker.</summary>
    public string Name { get; }

    /// <summary>Whether EmbedRec writes a file called <paramref name="fileName"/> into a directory of this kind.</summary>
    public bool Owns(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        if (_files.Contains(fileName)) return true;
        var temp = TempName().Match(fileName);
        return temp.Success && _files.Contains(temp.Groups[1].Value);
    }

    /// <summary>Whether <paramref name="fileName"/> is the temporary name (<c>.name.xxxxxxxx.tmp</c>) of a file EmbedRec writes into a directory of this kind.</summary>
    public bool IsTemporary(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var temp = TempName().Match(fileName);
        return temp.Success && _files.Contains(temp.Groups[1].Value);
    }

    /// <summary>Whether <paramref name="directory"/> carries this kind's signature file (for directories older than the marker).</summary>
    internal bool IsSigned(string directory) => _signed?.Invoke(directory) ?? false;

    private static bool IsPreparedSplit(string directory)
    {
        var path = Path.Combine(directory, "split.json");
        if (!File.Exists(path)) return false;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("format", out var f)
                && f.ValueKind == JsonValueKind.String && f.GetString()!.StartsWith("embedrec-split/", StringComparison.Ordinal);
        }
        catch (JsonException) { return false; }
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    [GeneratedRegex(@"^\.(.+)\.[0-9a-f]{8}\.tmp$")]
    private static partial Regex TempName();
}
