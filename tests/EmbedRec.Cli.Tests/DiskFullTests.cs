using System.Diagnostics;
using Xunit;

namespace EmbedRec.Cli.Tests;

/// <summary>
/// A real full disk: a small tmpfs mounted for the test (needs root and mount; reported as skipped otherwise).
/// Training into it fails with one line naming the problem, leaves no stray temporary and does not touch a
/// finished run beside it; on a disk with room the same run resumes or is replaced.
/// </summary>
public sealed class DiskFullTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("embedrec-disk-").FullName;
    private readonly string _mount;

    public DiskFullTests()
    {
        _mount = Path.Combine(_dir, "small");
        Directory.CreateDirectory(_mount);
    }

    public void Dispose()
    {
        Sh("umount", _mount);
        Directory.Delete(_dir, true);
    }

    private static int Sh(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi)!;
            p.WaitForExit(30_000);
            return p.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }

    private (int Code, string Out, string Err) Run(params string[] args) => Embedrec.Run(_mount, null, args);

    [RootFact]
    public void AFullDiskFailsInOneLineAndLosesNoFinishedRun()
    {
        if (Sh("mount", "-t", "tmpfs", "-o", "size=1400k", "tmpfs", _mount) != 0) return; // RootFact checked we may; a refusing kernel skips silently
        // A finished popularity run fits; MF's checkpoint, resume state and embeddings do not all fit next to it.
        var pop = Run("train", "--model", "pop", "--dataset", "synthetic", "--out", "pop");
        Assert.True(pop.Code == 0, pop.Err);
        var metrics = File.ReadAllText(Path.Combine(_mount, "pop", "metrics.json"));
        var mf = Run("train", "--model", "mf", "--dataset", "synthetic", "--epochs", "3", "--set", "model.embedding_size=256", "--out", "mf");
        Assert.Equal(1, mf.Code);
        var error = mf.Err.Trim();
        Assert.DoesNotContain("\n", error);
        Assert.StartsWith("error:", error);
        Assert.Contains("space", error, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(Path.Combine(_mount, "mf", "metrics.json")));
        // The finished run beside it is untouched and still evaluates.
        Assert.Equal(metrics, File.ReadAllText(Path.Combine(_mount, "pop", "metrics.json")));
        var ev = Run("evaluate", "pop");
        Assert.True(ev.Code == 0, ev.Err);
        // With room again the failed run is replaced by a complete one, and no temporary of the failure survives.
        Assert.Equal(0, Sh("mount", "-o", "remount,size=64m", _mount));
        var again = Run("train", "--model", "mf", "--dataset", "synthetic", "--epochs", "3", "--set", "model.embedding_size=256", "--out", "mf", "--force");
        Assert.True(again.Code == 0, again.Err);
        Assert.Empty(Directory.GetFiles(Path.Combine(_mount, "mf"), "*.tmp"));
    }
}

/// <summary>A fact that mounts a filesystem: skipped, with the reason, unless the tests run as root on Linux.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root") Skip = "Needs root on Linux to mount a small tmpfs as a full disk.";
    }
}
