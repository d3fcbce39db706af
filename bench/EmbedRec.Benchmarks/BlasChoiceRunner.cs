using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Kernels;

namespace EmbedRec.Benchmarks;

/// <summary>
/// <c>quick blas-choice</c>: the GEMM shapes of <see cref="QuickRunner.GemmShapes"/> timed on every backend
/// <c>EMBEDREC_BLAS=auto</c> can choose from, side by side in one run. OpenBLAS reads its core type once when it
/// loads, so each column runs in its own child process (this program with <c>--column</c>) with its own
/// <c>OPENBLAS_CORETYPE</c>: the managed GEMM, OpenBLAS as this environment loads it, OpenBLAS's own CPU detection,
/// SkylakeX, and <c>auto</c> with the environment as it is and with <c>OPENBLAS_CORETYPE</c> unset (EmbedRec chooses).
/// A last row runs all shapes in turn, which is where mixing two backends' thread pools would show. The columns run in
/// <c>--passes</c> rounds (default 3) and each cell is the median over them.
/// </summary>
public static class BlasChoiceRunner
{
    private sealed record Column(string Name, string Label, string? CoreType, bool UnsetCoreType);

    public static object Run(string[] args, double seconds)
    {
        int ci = Array.IndexOf(args, "--column");
        if (ci >= 0 && ci + 1 < args.Length) return Measure(args[ci + 1], seconds);

        var env = Environment.GetEnvironmentVariable(OpenBlasCoreType.Variable);
        var columns = new List<Column> { new("managed", "managed", null, false) };
        if (!string.IsNullOrEmpty(env)) columns.Add(new("native", $"OpenBLAS, {OpenBlasCoreType.Variable}={env} (environment)", null, false));
        columns.Add(new("native", "OpenBLAS, own detection", null, true));
        columns.Add(new("native", "OpenBLAS, SkylakeX", "SkylakeX", false));
        columns.Add(new("auto", string.IsNullOrEmpty(env) ? "auto" : $"auto, {OpenBlasCoreType.Variable}={env}", null, false));
        if (!string.IsNullOrEmpty(env)) columns.Add(new("auto", $"auto, {OpenBlasCoreType.Variable} unset", null, true));

        // Passes over all columns, each cell the median over passes, so load from other processes that comes and goes
        // during the run falls on every column alike rather than on whichever ran at that moment.
        int pi = Array.IndexOf(args, "--passes");
        int passes = pi >= 0 && pi + 1 < args.Length ? int.Parse(args[pi + 1], CultureInfo.InvariantCulture) : 3;
        var runs = columns.Select(_ => new List<JsonElement>()).ToList();
        for (int pass = 0; pass < passes; pass++)
            for (int i = 0; i < columns.Count; i++)
            {
                var c = columns[i];
                var psi = Self("quick", "blas-choice", "--column", c.Name, "--seconds", seconds.ToString(CultureInfo.InvariantCulture));
                if (c.UnsetCoreType) psi.Environment.Remove(OpenBlasCoreType.Variable);
                if (c.CoreType is not null) psi.Environment[OpenBlasCoreType.Variable] = c.CoreType;
                using var p = Process.Start(psi)!;
                var stdout = p.StandardOutput.ReadToEndAsync();
                var stderr = p.StandardError.ReadToEndAsync();
                p.WaitForExit();
                if (p.ExitCode != 0) throw new InvalidOperationException($"column '{c.Label}' failed ({p.ExitCode}): {stderr.Result}");
                runs[i].Add(JsonDocument.Parse(stdout.Result).RootElement.Clone());
            }
        var medians = runs.Select(r => r[0].GetProperty("shapes").EnumerateArray().Select((_, s) =>
        {
            var g = r.Select(x => x.GetProperty("shapes")[s].GetProperty("gflops").GetDouble()).Order().ToList();
            return g[g.Count / 2];
        }).ToList()).ToList();
        PrintTable(columns, runs, medians, passes);
        return new
        {
            columns = columns.Select((c, i) => new { label = c.Label, median_gflops = medians[i], passes = runs[i] }),
        };
    }

    private static ProcessStartInfo Self(params string[] args)
    {
        var exe = Environment.ProcessPath ?? "dotnet";
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet") psi.ArgumentList.Add(typeof(BlasChoiceRunner).Assembly.Location);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    private static void PrintTable(List<Column> columns, List<List<JsonElement>> runs, List<List<double>> medians, int passes)
    {
        var first = runs.Select(r => r[^1]).ToList();
        var shapes = first[0].GetProperty("shapes").EnumerateArray().Select(s => s.GetProperty("shape").GetString()!).ToList();
        Console.WriteLine($"GFLOP/s, median over {passes} passes of each column's median call; {DateTime.Now:yyyy-MM-dd HH:mm}; load average now: {LoadAverage()}");
        Console.WriteLine(string.Join(" | ", new[] { "shape" }.Concat(columns.Select(c => c.Label))));
        for (int i = 0; i < shapes.Count; i++)
        {
            var cells = columns.Select((_, c) =>
            {
                var s = first[c].GetProperty("shapes")[i];
                var g = medians[c][i].ToString("F0", CultureInfo.InvariantCulture);
                return s.TryGetProperty("backend", out var b) && b.ValueKind == JsonValueKind.String ? $"{g} ({b.GetString()})" : g;
            });
            Console.WriteLine(string.Join(" | ", new[] { shapes[i] }.Concat(cells)));
        }
        for (int i = 0; i < columns.Count; i++)
        {
            var r = runs[i][0];
            Console.WriteLine($"{columns[i].Label}: {r.GetProperty("description").GetString()}"
                + (r.TryGetProperty("cache", out var c) && c.ValueKind == JsonValueKind.String ? $"; calibration (first pass) {c.GetString()}" : ""));
        }
    }

    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "unknown"; }
    }

    /// <summary>The child: times every shape, then all shapes in turn, on one backend.</summary>
    private static object Measure(string column, double seconds)
    {
        IBlas blas = column switch
        {
            "managed" => Blas.Managed,
            "native" => NativeOpenBlas.TryLoad(Blas.ThreadCount, out var why) ?? throw new InvalidOperationException(why),
            "auto" => Blas.Current,
            _ => throw new ArgumentException($"--column '{column}' is not managed, native or auto."),
        };
        var data = QuickRunner.GemmShapes.Select(s =>
        {
            var rng = new Rng(1);
            var a = new float[s.M * s.K]; var b = new float[s.K * s.N];
            rng.FillNormal(a); rng.FillNormal(b);
            return (s.M, s.K, s.N, A: a, B: b, C: new float[s.M * s.N]);
        }).ToList();
        var shapes = data.Select(d => new
        {
            shape = $"[{d.M}x{d.K}]x[{d.K}x{d.N}]",
            gflops = 2.0 * d.M * d.N * d.K / QuickRunner.Time(() => blas.Sgemm(false, false, d.M, d.N, d.K, 1f, d.A, d.K, d.B, d.N, 0f, d.C, d.N), seconds) / 1e9,
            backend = blas is AutoBlas auto ? auto.BackendFor(d.M, d.N, d.K).Name : blas.Name,
        }).ToList();
        double flop = data.Sum(d => 2.0 * d.M * d.N * d.K);
        double inTurn = QuickRunner.Time(() =>
        {
            foreach (var d in data) blas.Sgemm(false, false, d.M, d.N, d.K, 1f, d.A, d.K, d.B, d.N, 0f, d.C, d.N);
        }, seconds);
        shapes.Add(new { shape = "all shapes in turn", gflops = flop / inTurn / 1e9, backend = blas.Name });
        var choice = column == "auto" ? Blas.Choice : null;
        return new { description = blas.Description, shapes, cache = choice?.CacheStatus, cache_file = choice?.CachePath, calibration = choice?.Calibration };
    }
}
