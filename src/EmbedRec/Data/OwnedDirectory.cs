using System.Text.Json;

namespace EmbedRec.Data;

/// <summary>How <see cref="OwnedDirectory.Claim"/> treats what is already in the directory.</summary>
public enum ClaimMode
{
    /// <summary>The directory must be missing or empty.</summary>
    New,

    /// <summary>Delete what EmbedRec wrote there before (refused if anything else is there).</summary>
    Replace,

    /// <summary>Keep the contents (resume an interrupted run).</summary>
    Continue,
}

/// <summary>The marker file of a directory EmbedRec created.</summary>
/// <param name="Kind">The directory's kind, e.g. "run".</param>
/// <param name="Version">The marker format version.</param>
/// <param name="Created">When the directory was claimed.</param>
/// <param name="Writer">The EmbedRec version that wrote the marker.</param>
public sealed record DirectoryMarker(string Kind, int Version, DateTimeOffset Created, string Writer);

/// <summary>
/// Directories EmbedRec owns. A directory it creates carries a marker (<c>.embedrec</c>, JSON naming its
/// kind); EmbedRec only ever deletes files that the directory's <see cref="DirectoryKind"/> says it writes,
/// in a directory that carries the marker, and refuses with a message naming the first other file, deleting
/// nothing, if anything else is there. It never deletes the working directory, a directory containing it,
/// or a filesystem root.
/// </summary>
public static class OwnedDirectory
{
    /// <summary>The marker file.</summary>
    public const string MarkerName = ".embedrec";

    private const int MarkerVersion = 1;

    /// <summary>
    /// Takes <paramref name="path"/> for writing a directory of <paramref name="kind"/>: locks it
    /// (<see cref="DirectoryLock"/>), applies <paramref name="mode"/> and writes the marker. Throws
    /// <see cref="DirectoryLockedException"/> when another process writes it, and
    /// <see cref="ForeignDirectoryException"/> (before creating anything) when it holds files EmbedRec did
    /// not write. Dispose the returned lock when the directory is complete.
    /// </summary>
    public static DirectoryLock Claim(string path, DirectoryKind kind, ClaimMode mode)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(kind);
        var full = Path.GetFullPath(path);
        if (mode == ClaimMode.Continue && !Directory.Exists(full))
            throw new DirectoryNotFoundException($"'{full}' does not exist, so there is nothing to continue.");
        // Checked before locking, so a refused folder does not even get a lock file; checked again under the lock.
        Check(full, kind, mode);
        var held = DirectoryLock.Acquire(full);
        try
        {
            Check(full, kind, mode);
            if (mode == ClaimMode.Replace) DeleteOwned(full, kind);
            if (mode != ClaimMode.Continue || ReadMarker(full) is null) WriteMarker(full, kind);
            return held;
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    /// <summary>Whether <paramref name="path"/> exists and holds anything besides EmbedRec's marker and lock files.</summary>
    public static bool HasContent(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any(e => !IsHousekeeping(Path.GetFileName(e)));
    }

    /// <summary>
    /// Throws <see cref="ForeignDirectoryException"/> unless replacing <paramref name="path"/> with a new
    /// directory of <paramref name="kind"/> deletes only files EmbedRec wrote; reads only.
    /// </summary>
    public static void ThrowIfNotReplaceable(string path, DirectoryKind kind)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(kind);
        Check(Path.GetFullPath(path), kind, ClaimMode.Replace);
    }

    /// <summary>
    /// Deletes the files EmbedRec wrote into <paramref name="path"/> (a directory of <paramref name="kind"/>),
    /// keeping its marker and lock; refuses, deleting nothing, under the rules of <see cref="ThrowIfNotReplaceable"/>.
    /// The caller should hold the directory's <see cref="DirectoryLock"/>.
    /// </summary>
    public static void Clear(string path, DirectoryKind kind)
    {
        ThrowIfNotReplaceable(path, kind);
        DeleteOwned(Path.GetFullPath(path), kind);
    }

    /// <summary>The marker of <paramref name="path"/>, or null when it has none (or one EmbedRec cannot read).</summary>
    public static DirectoryMarker? ReadMarker(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var file = Path.Combine(path, MarkerName);
        if (!File.Exists(file)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            var r = doc.RootElement;
            if (r.ValueKind != JsonValueKind.Object || !r.TryGetProperty("kind", out var kind) || kind.ValueKind != JsonValueKind.String) return null;
            return new DirectoryMarker(kind.GetString()!,
                r.TryGetProperty("version", out var v) && v.TryGetInt32(out int version) ? version : 0,
                r.TryGetProperty("created", out var c) && c.TryGetDateTimeOffset(out var created) ? created : default,
                r.TryGetProperty("writer", out var w) && w.ValueKind == JsonValueKind.String ? w.GetString()! : "");
        }
        catch (JsonException) { return null; }
    }

    private static void WriteMarker(string full, DirectoryKind kind) =>
        AtomicFile.WriteAllText(Path.Combine(full, MarkerName), JsonSerializer.Serialize(new
        {
            kind = kind.Name,
            version = MarkerVersion,
            created = DateTimeOffset.UtcNow,
            writer = "EmbedRec " + LibraryInfo.Version,
        }));

    private static bool IsHousekeeping(string name) =>
        name is MarkerName or DirectoryLock.LockFileName or DirectoryLock.PidFileName
        // AtomicFile's temporaries of the marker and the pid file: "." + name + ".xxxxxxxx.tmp".
        || (name.EndsWith(".tmp", StringComparison.Ordinal)
            && (name.StartsWith("." + MarkerName + ".", StringComparison.Ordinal) || name.StartsWith("." + DirectoryLock.PidFileName + ".", StringComparison.Ordinal)));

    private static void Check(string full, DirectoryKind kind, ClaimMode mode)
    {
        if (File.Exists(full)) throw new IOException($"'{full}' is a file, not a directory.");
        if (!HasContent(full)) return;
        if (mode == ClaimMode.Continue)
        {
            // Continuing marks the folder as EmbedRec's (a run from before the marker existed): only when it is one.
            var names = Directory.EnumerateFileSystemEntries(full).Select(Path.GetFileName).OfType<string>().Where(n => !IsHousekeeping(n)).ToList();
            bool looksLikeOne = names.Count > 0 && names.All(n => kind.Owns(n) && IsPlainFile(Path.Combine(full, n))) && names.Count(kind.Owns) >= 2;
            if (ReadMarker(full) is null && !looksLikeOne)
                throw new ForeignDirectoryException(full, names.FirstOrDefault(n => !kind.Owns(n)),
                    $"'{full}' has no {MarkerName} marker and does not hold an EmbedRec {kind.Name}, so there is nothing to continue; nothing was changed.");
            return;
        }
        if (mode == ClaimMode.New)
            throw new IOException($"'{full}' exists and is not empty; choose another folder, or replace or continue it.");
        if (ContainsWorkingDirectoryOrIsRoot(full))
            throw new ForeignDirectoryException(full, null, $"'{full}' is the working directory, contains it, or is a filesystem root; EmbedRec never empties such a folder, so nothing was deleted.");
        var marker = ReadMarker(full);
        if (marker is null && !kind.IsSigned(full))
            throw new ForeignDirectoryException(full, null, $"'{full}' is not empty and has no {MarkerName} marker, so EmbedRec did not create it (or a version older than the marker did); " +
                "nothing was deleted. Choose another folder, or empty it yourself.");
        if (marker is not null && marker.Kind != kind.Name)
            throw new ForeignDirectoryException(full, null, $"'{full}' is an EmbedRec {marker.Kind} folder, not a {kind.Name} folder; nothing was deleted.");
        var foreign = Directory.EnumerateFileSystemEntries(full).Select(Path.GetFileName).OfType<string>()
            .Where(n => !IsHousekeeping(n) && !(kind.Owns(n) && IsPlainFile(Path.Combine(full, n))))
            .Order(StringComparer.Ordinal).FirstOrDefault();
        if (foreign is not null)
            throw new ForeignDirectoryException(full, foreign, $"'{full}' holds '{foreign}', which EmbedRec did not write; nothing was deleted. Move it away or choose another folder.");
    }

    private static void DeleteOwned(string full, DirectoryKind kind)
    {
        if (!Directory.Exists(full)) return;
        foreach (var entry in Directory.EnumerateFileSystemEntries(full).ToList())
        {
            var name = Path.GetFileName(entry);
            if (!IsHousekeeping(name) && kind.Owns(name) && IsPlainFile(entry)) File.Delete(entry);
        }
    }

    // EmbedRec writes regular files only; a directory or link under one of its names is someone else's.
    private static bool IsPlainFile(string path) => File.Exists(path) && new FileInfo(path).LinkTarget is null;

    private static bool ContainsWorkingDirectoryOrIsRoot(string full)
    {
        var candidates = new List<string> { full };
        var info = new DirectoryInfo(full);
        if (info.LinkTarget is not null && info.ResolveLinkTarget(true) is { } target) candidates.Add(target.FullName);
        var cwd = WithSeparator(Path.GetFullPath(Environment.CurrentDirectory));
        var comparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        return candidates.Any(c => (Path.GetPathRoot(c) is { } root && WithSeparator(root).Equals(WithSeparator(c), comparison))
            || cwd.StartsWith(WithSeparator(c), comparison));
    }

    private static string WithSeparator(string path) => Path.EndsInDirectorySeparator(path) ? path : path + Path.DirectorySeparatorChar;
}

/// <summary>EmbedRec refused to delete a directory's contents because it did not write (all of) them; nothing was deleted.</summary>
public sealed class ForeignDirectoryException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="directory">The directory that was not touched.</param>
    /// <param name="entry">The first entry EmbedRec did not write, when that is the reason.</param>
    /// <param name="message">One line naming the directory and the reason.</param>
    public ForeignDirectoryException(string directory, string? entry, string message) : base(message)
    {
        Directory = directory;
        Entry = entry;
    }

    /// <summary>The directory that was not touched.</summary>
    public string Directory { get; }

    /// <summary>The first entry EmbedRec did not write, or null when the directory as a whole is not EmbedRec's.</summary>
    public string? Entry { get; }
}
