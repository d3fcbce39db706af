using System.Diagnostics;
using Xunit;

namespace EmbedRec.Cli.Tests;

/// <summary>The built embedrec command run as a user runs it: a child process in a working directory, its output and exit code.</summary>
internal static class Embedrec
{
    /// <summary>How to start embedrec with <paramref name="args"/> in <paramref name="cwd"/>; <paramref name="dataRoot"/> becomes EMBEDREC_DATA when given.</summary>
    public static ProcessStartInfo StartInfo(string cwd, string? dataRoot, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = cwd };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "EmbedRec.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (dataRoot is not null) psi.Environment["EMBEDREC_DATA"] = dataRoot;
        // EMBEDREC_BLAS=auto would time the backends (and cache the result) inside dotnet test.
        if (Environment.GetEnvironmentVariable("EMBEDREC_BLAS") is not ("managed" or "native")) psi.Environment["EMBEDREC_BLAS"] = "managed";
        return psi;
    }

    /// <summary>Waits (up to 5 minutes) for a started embedrec and collects its exit code and output.</summary>
    public static (int Code, string Out, string Err) Finish(Process p)
    {
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(300_000), "embedrec did not finish in 5 minutes");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs embedrec to completion.</summary>
    public static (int Code, string Out, string Err) Run(string cwd, string? dataRoot, params string[] args)
    {
        using var p = Process.Start(StartInfo(cwd, dataRoot, args))!;
        return Finish(p);
    }
}
