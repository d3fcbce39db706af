using System.Globalization;

namespace EmbedRec.Data;

/// <summary>
/// An exclusive lock on a directory for as long as one process writes it: an OS lock on
/// <c>.embedrec.lock</c> inside the directory, or in a lock folder of its own (<c>flock(2)</c> on Linux and macOS, a share-none handle on
/// Windows). The OS releases it when the handle closes or the process dies, so a crash never leaves the
/// directory locked. A second writer, in this process or another, is refused at once with a
/// <see cref="DirectoryLockedException"/> that names the holder's pid, which the holder writes to
/// <c>.embedrec.pid</c> (a separate file, because on Linux .NET cannot read a file another handle has
/// locked). The lock file is never deleted: deleting it would let a late opener lock the unlinked file
/// while a third process locks a new one.
/// </summary>
public sealed class DirectoryLock : IDisposable
{
    /// <summary>The file the OS lock is taken on.</summary>
    public const string LockFileName = ".embedrec.lock";

    /// <summary>The file naming the holder's process id while the lock is held.</summary>
    public const string PidFileName = ".embedrec.pid";

    private readonly FileStream _handle;
    private readonly string _lockFolder;
    private bool _disposed;

    private DirectoryLock(string directory, string lockFolder, FileStream handle)
    {
        Directory = directory;
        _lockFolder = lockFolder;
        _handle = handle;
    }

    /// <summary>The locked directory (full path).</summary>
    public string Directory { get; }

    /// <summary>Creates <paramref name="directory"/> if needed and locks it, or throws <see cref="DirectoryLockedException"/> when another writer holds it.</summary>
    /// <param name="directory">The directory to lock, named in a refusal.</param>
    /// <param name="lockFolder">
    /// Where the lock and pid files live when not in <paramref name="directory"/> itself, e.g. beside a dataset
    /// folder so that it holds nothing but the dataset. Every writer of the directory must pass the same one.
    /// </param>
    public static DirectoryLock Acquire(string directory, string? lockFolder = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var full = Path.GetFullPath(directory);
        var at = lockFolder is null ? full : Path.GetFullPath(lockFolder);
        System.IO.Directory.CreateDirectory(full);
        System.IO.Directory.CreateDirectory(at);
        FileStream handle;
        try
        {
            handle = new FileStream(Path.Combine(at, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (IsSharingViolation(e))
        {
            throw new DirectoryLockedException(full, ReadHolder(at));
        }
        try
        {
            AtomicFile.WriteAllText(Path.Combine(at, PidFileName), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
        return new DirectoryLock(full, at, handle);
    }

    /// <summary>Removes the pid file and releases the lock.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try { File.Delete(Path.Combine(_lockFolder, PidFileName)); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        _handle.Dispose();
    }

    // Windows reports ERROR_SHARING_VIOLATION; .NET on Unix reports flock's EWOULDBLOCK as an IOException
    // whose HResult is the raw errno (EAGAIN: 11 on Linux, 35 on macOS and the BSDs).
    private static bool IsSharingViolation(IOException e) => e.GetType() == typeof(IOException)
        && (e.HResult == unchecked((int)0x80070020) || (OperatingSystem.IsLinux() && e.HResult == 11) || (!OperatingSystem.IsWindows() && !OperatingSystem.IsLinux() && e.HResult == 35));

    // The holder writes its pid right after locking; a reader that lost the race by microseconds waits a moment for it.
    private static int? ReadHolder(string directory)
    {
        var path = Path.Combine(directory, PidFileName);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            try
            {
                if (int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) return pid;
            }
            catch (FileNotFoundException) { }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            Thread.Sleep(20);
        }
        return null;
    }
}

/// <summary>A directory is locked by another writer (<see cref="DirectoryLock"/>).</summary>
public sealed class DirectoryLockedException : IOException
{
    /// <summary>Creates the exception for <paramref name="directory"/> held by <paramref name="holderPid"/> (null when it could not be read).</summary>
    public DirectoryLockedException(string directory, int? holderPid)
        : base($"'{directory}' is being written by another EmbedRec process (pid {(holderPid is { } p ? p.ToString(CultureInfo.InvariantCulture) : "unknown")}); " +
            "wait for it to finish, stop it, or choose another folder.")
    {
        Directory = directory;
        HolderPid = holderPid;
    }

    /// <summary>The locked directory.</summary>
    public string Directory { get; }

    /// <summary>The holder's process id, or null when it could not be read.</summary>
    public int? HolderPid { get; }
}
