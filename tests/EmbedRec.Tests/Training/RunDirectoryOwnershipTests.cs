using EmbedRec.Data;
using EmbedRec.Data.Registry;
using EmbedRec.Training;
using Xunit;

namespace EmbedRec.Tests.Training;

/// <summary>
/// Issue 15 §1 and §2 in the library: EmbedRec deletes only what it wrote, and one writer at a time holds a
/// run directory or a dataset cache folder. The cross-process and killed-holder cases are in the CLI tests
/// (ConcurrencyAndForceTests), which run real processes.
/// </summary>
public sealed class RunDirectoryOwnershipTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Sub(string name) => Path.Combine(_dir.Path, name);

    private static void WriteRunFiles(string dir)
    {
        foreach (var f in new[] { "config.yaml", "checkpoint.safetensors", "metrics.json", "history.csv", "loss.svg", ".metrics.json.0123abcd.tmp" })
            File.WriteAllText(Path.Combine(dir, f), "old");
    }

    [Fact]
    public void ASecondWriterIsRefusedWithTheHoldersPid()
    {
        using (var first = RunDirectory.OpenForWriting(Sub("run"), ClaimMode.New))
        {
            var e = Assert.Throws<DirectoryLockedException>(() => RunDirectory.OpenForWriting(Sub("run"), ClaimMode.Replace));
            Assert.Equal(Environment.ProcessId, e.HolderPid);
            Assert.Contains($"pid {Environment.ProcessId}", e.Message);
            Assert.Contains(first.Path, e.Message);
            Assert.Throws<DirectoryLockedException>(() => DirectoryLock.Acquire(first.Path));
        }
        using var again = RunDirectory.OpenForWriting(Sub("run"), ClaimMode.Replace);
        Assert.Equal("run", OwnedDirectory.ReadMarker(again.Path)!.Kind);
    }

    [Fact]
    public void TheFilesACrashLeavesBehindDoNotBlock()
    {
        // A killed holder leaves .embedrec.lock (unlocked: the OS dropped the lock with the process) and a stale pid.
        Directory.CreateDirectory(Sub("cache"));
        File.WriteAllText(Path.Combine(Sub("cache"), DirectoryLock.LockFileName), "");
        File.WriteAllText(Path.Combine(Sub("cache"), DirectoryLock.PidFileName), "999999");
        using var next = DirectoryLock.Acquire(Sub("cache"));
        Assert.Equal(Environment.ProcessId.ToString(), File.ReadAllText(Path.Combine(next.Directory, DirectoryLock.PidFileName)).Trim());
    }

    [Fact]
    public void TemporariesOfTheMarkerAndPidFileLeftByACrashDoNotBlockAReplace()
    {
        using (var first = RunDirectory.OpenForWriting(Sub("run"), ClaimMode.New)) WriteRunFiles(first.Path);
        File.WriteAllText(Path.Combine(Sub("run"), "..embedrec.0a1b2c3d.tmp"), "{");
        File.WriteAllText(Path.Combine(Sub("run"), "..embedrec.pid.0a1b2c3d.tmp"), "12");
        using var second = RunDirectory.OpenForWriting(Sub("run"), ClaimMode.Replace);
        Assert.True(File.Exists(Path.Combine(second.Path, ".embedrec")));
    }

    [Fact]
    public void ContinuingAFolderThatIsNotARunNeitherMarksNorChangesIt()
    {
        Directory.CreateDirectory(Sub("proj"));
        File.WriteAllText(Path.Combine(Sub("proj"), "config.yaml"), "mine: true\n");
        File.WriteAllText(Path.Combine(Sub("proj"), "notes.txt"), "keep");
        var e = Assert.Throws<ForeignDirectoryException>(() => RunDirectory.OpenForWriting(Sub("proj"), ClaimMode.Continue));
        Assert.Contains("nothing to continue", e.Message);
        Assert.Equal(["config.yaml", "notes.txt"], Directory.GetFiles(Sub("proj")).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray());
        // So a later --force still refuses it rather than deleting the user's config.yaml.
        Assert.Throws<ForeignDirectoryException>(() => RunDirectory.OpenForWriting(Sub("proj"), ClaimMode.Replace));
    }

    [Fact]
    public void ReplaceDeletesOnlyAPreviousRunsFiles()
    {
        using (var first = RunDirectory.OpenForWriting(Sub("run"), ClaimMode.New)) WriteRunFiles(first.Path);
        using var second = RunDirectory.OpenForWriting(Sub("run"), ClaimMode.Replace);
        var left = Directory.GetFiles(second.Path).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal([".embedrec", ".embedrec.lock", ".embedrec.pid"], left);
    }

    [Fact]
    public void AUserFileInARunDirectoryIsNamedAndNothingIsDeleted()
    {
        using (var first = RunDirectory.OpenForWriting(Sub("run"), ClaimMode.New)) WriteRunFiles(first.Path);
        File.WriteAllText(Path.Combine(Sub("run"), "notes.txt"), "mine");
        Directory.CreateDirectory(Path.Combine(Sub("run"), "report.md")); // a directory under a name EmbedRec writes as a file
        var e = Assert.Throws<ForeignDirectoryException>(() => RunDirectory.OpenForWriting(Sub("run"), ClaimMode.Replace));
        Assert.Equal("notes.txt", e.Entry);
        Assert.Contains("'notes.txt'", e.Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(Sub("run"), "notes.txt")));
        Assert.Equal("old", File.ReadAllText(Path.Combine(Sub("run"), "checkpoint.safetensors")));
        File.Delete(Path.Combine(Sub("run"), "notes.txt"));
        Assert.Equal("report.md", Assert.Throws<ForeignDirectoryException>(() => RunDirectory.OpenForWriting(Sub("run"), ClaimMode.Replace)).Entry);
    }

    [Fact]
    public void AFolderWithoutTheMarkerIsNeverEmptiedAndGetsNoLockFile()
    {
        Directory.CreateDirectory(Sub("mine"));
        File.WriteAllText(Path.Combine(Sub("mine"), "config.yaml"), "the user's own"); // a name EmbedRec writes, but not EmbedRec's folder
        var e = Assert.Throws<ForeignDirectoryException>(() => RunDirectory.OpenForWriting(Sub("mine"), ClaimMode.Replace));
        Assert.Contains(".embedrec marker", e.Message);
        Assert.Equal(["config.yaml"], Directory.GetFileSystemEntries(Sub("mine")).Select(f => Path.GetFileName(f)).ToArray());
        Assert.Throws<IOException>(() => RunDirectory.OpenForWriting(Sub("mine"), ClaimMode.New));
        Assert.Equal("the user's own", File.ReadAllText(Path.Combine(Sub("mine"), "config.yaml")));
    }

    [Fact]
    public void AnEmptyFolderAndAMissingOneAreClaimed()
    {
        Directory.CreateDirectory(Sub("empty"));
        using (RunDirectory.OpenForWriting(Sub("empty"), ClaimMode.New)) { }
        using (RunDirectory.OpenForWriting(Sub("a/b/new"), ClaimMode.Replace)) { }
        Assert.False(OwnedDirectory.HasContent(Sub("empty")));
        using var again = RunDirectory.OpenForWriting(Sub("empty"), ClaimMode.New); // marker and lock alone are not content
    }

    [Fact]
    public void ContinueKeepsTheFilesAndAnotherKindIsRefused()
    {
        using (var first = RunDirectory.OpenForWriting(Sub("run"), ClaimMode.New)) WriteRunFiles(first.Path);
        using (var resumed = RunDirectory.OpenForWriting(Sub("run"), ClaimMode.Continue))
            Assert.Equal("old", File.ReadAllText(resumed.Checkpoint));
        Assert.Throws<DirectoryNotFoundException>(() => RunDirectory.OpenForWriting(Sub("missing"), ClaimMode.Continue));
        var e = Assert.Throws<ForeignDirectoryException>(() => OwnedDirectory.ThrowIfNotReplaceable(Sub("run"), DirectoryKind.Split));
        Assert.Contains("run folder, not a split folder", e.Message);
    }

    [Fact]
    public void APreparedSplitIsRecognizedByItsSplitJson()
    {
        Directory.CreateDirectory(Sub("split"));
        foreach (var f in new[] { "train.inter", "valid.inter", "test.inter", "users.txt", "items.txt" }) File.WriteAllText(Path.Combine(Sub("split"), f), "");
        File.WriteAllText(Path.Combine(Sub("split"), "split.json"), """{"format": "embedrec-split/1"}""");
        OwnedDirectory.ThrowIfNotReplaceable(Sub("split"), DirectoryKind.Split);
        File.WriteAllText(Path.Combine(Sub("split"), "split.json"), """{"format": "someone-else"}""");
        Assert.Throws<ForeignDirectoryException>(() => OwnedDirectory.ThrowIfNotReplaceable(Sub("split"), DirectoryKind.Split));
    }

    [Fact]
    public void TheWorkingDirectoryAndItsParentsAreNeverCleared()
    {
        var cwd = Environment.CurrentDirectory;
        var e = Assert.Throws<ForeignDirectoryException>(() => OwnedDirectory.Clear(".", DirectoryKind.Run));
        Assert.Null(e.Entry);
        Assert.Throws<ForeignDirectoryException>(() => OwnedDirectory.Clear(Path.GetDirectoryName(cwd)!, DirectoryKind.Run));
        Assert.Throws<ForeignDirectoryException>(() => OwnedDirectory.Clear(Path.GetPathRoot(cwd)!, DirectoryKind.Run));
        Assert.True(Directory.Exists(cwd));
    }

    [Fact]
    public async Task ASecondDownloadIntoTheSameCacheFolderIsRefused()
    {
        var entry = new DatasetEntry("tiny", "fixture", "tiny", [new(DatasetLayout.Pairs, "pairs.txt")],
            [new("http://127.0.0.1:9/pairs.txt", "pairs.txt", Sha256: new string('0', 64))], "", "loo", "test");
        var reg = new DatasetRegistry(Sub("root"), [entry]);
        using var downloading = DirectoryLock.Acquire(reg.FolderOf(entry), DatasetFetcher.LockFolder(reg, entry));
        using var http = new HttpClient();
        var e = await Assert.ThrowsAsync<DirectoryLockedException>(() => new DatasetFetcher(http).FetchAsync(reg, entry));
        Assert.Equal(Environment.ProcessId, e.HolderPid);
        Assert.Contains(reg.FolderOf(entry), e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(reg.FolderOf(entry)));
    }
}
