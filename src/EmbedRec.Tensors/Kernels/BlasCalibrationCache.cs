namespace EmbedRec.Tensors.Kernels;

/// <summary>
/// Where calibrations are kept: <c>$EMBEDREC_CACHE</c>, else <c>$XDG_CACHE_HOME/embedrec</c>, else
/// <c>~/.cache/embedrec</c> (the local application-data folder on Windows), one <c>blas-&lt;hash&gt;.json</c> per
/// <see cref="BlasCalibrationKey"/>. Reads never throw (a missing, corrupt or stale file is a miss with a reason)
/// and writes are atomic (a temporary file renamed over the old one) and never throw either.
/// </summary>
public static class BlasCalibrationCache
{
    /// <summary>The cache directory for this user.</summary>
    public static string Directory()
    {
        var explicitDir = Environment.GetEnvironmentVariable("EMBEDREC_CACHE");
        if (!string.IsNullOrWhiteSpace(explicitDir)) return explicitDir;
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrWhiteSpace(xdg)) return Path.Combine(xdg, "embedrec");
        if (OperatingSystem.IsWindows())
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "embedrec");
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "embedrec");
    }

    /// <summary>The file for <paramref name="key"/> in <see cref="Directory"/>.</summary>
    public static string PathFor(BlasCalibrationKey key) => Path.Combine(Directory(), key.FileName());

    /// <summary>Reads the calibration at <paramref name="path"/> if it exists, parses and matches <paramref name="key"/>; otherwise null and why.</summary>
    public static BlasCalibration? TryLoad(string path, BlasCalibrationKey key, out string status)
    {
        string text;
        try
        {
            if (!File.Exists(path)) { status = "no cached calibration"; return null; }
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            status = $"cached calibration unreadable ({e.Message})";
            return null;
        }
        BlasCalibration c;
        try { c = BlasCalibration.FromJson(text); }
        catch (FormatException e)
        {
            status = $"corrupt cached calibration ignored ({e.Message})";
            return null;
        }
        if (c.Key != key) { status = "cached calibration is for another CPU, OpenBLAS, thread count or version"; return null; }
        status = "read from the cache";
        return c;
    }

    /// <summary>Writes <paramref name="calibration"/> to <paramref name="path"/> atomically; returns null, or why it could not.</summary>
    public static string? TrySave(string path, BlasCalibration calibration)
    {
        string? tmp = null;
        try
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
            System.IO.Directory.CreateDirectory(dir);
            tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
            File.WriteAllText(tmp, calibration.ToJson());
            File.Move(tmp, path, overwrite: true);
            tmp = null;
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return e.Message;
        }
        finally
        {
            if (tmp is not null) try { File.Delete(tmp); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }
}
