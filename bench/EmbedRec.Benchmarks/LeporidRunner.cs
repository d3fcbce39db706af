using System.Diagnostics;
using EmbedRec.Data.Registry;
using EmbedRec.Graphs;
using EmbedRec.Tensors.Linalg;

namespace EmbedRec.Benchmarks;

/// <summary>
/// Scale check of Leporid's spectrum (SPEC §1.2): the Jaccard-KNN graph of a dataset's users or items, the
/// regularized normalized Laplacian and its smallest eigenvectors, each step timed once, with the process's peak
/// resident memory after the graph and at the end.
/// Usage: <c>quick leporid [--dataset NAME] [--graph items|users] [--k 1000] [--dim 64] [--values] [--repeat N]</c>
/// (<c>--values</c> lists the eigenvalues, e.g. to compare with <c>bench/peers/leporid_peer.py</c>, which
/// reports the same fields; <c>bench/compare.py leporid</c> runs both).
/// </summary>
public static class LeporidRunner
{
    public static object Run(string[] args)
    {
        string Arg(string name, string fallback) => BenchArgs.Value(args, name, fallback);
        string dataset = Arg("--dataset", "ml-100k"), graph = Arg("--graph", "items");
        int k = int.Parse(Arg("--k", "1000"), System.Globalization.CultureInfo.InvariantCulture);
        int dim = int.Parse(Arg("--dim", "64"), System.Globalization.CultureInfo.InvariantCulture);
        var reg = new DatasetRegistry(Environment.GetEnvironmentVariable("EMBEDREC_DATA") ?? Path.GetFullPath(Path.Combine("..", "shared", "data")), KnownDatasets.All);
        var log = reg.Load(dataset).Log;
        var clock = Stopwatch.StartNew();
        var options = new JaccardKnnOptions { K = k };
        var w = graph == "users" ? JaccardKnn.Users(log, options) : JaccardKnn.Items(log, options);
        double graphSeconds = clock.Elapsed.TotalSeconds;
        double graphPeak = PeakRssMb();
        var jitBefore = System.Runtime.JitInfo.GetCompilationTime();
        clock.Restart();
        var l = Laplacian.Build(w);
        double laplacianSeconds = clock.Elapsed.TotalSeconds;
        var result = BlockLanczos.Solve(new CsrOperator(l), dim);
        double eigenSeconds = clock.Elapsed.TotalSeconds;
        double eigenJitSeconds = (System.Runtime.JitInfo.GetCompilationTime() - jitBefore).TotalSeconds;
        double peak = PeakRssMb(); // before any repeat, whose second Laplacian and basis would add to it
        // --repeat N solves N more times in the same process: the first solve pays the JIT for the solver's code,
        // the later ones show the solver alone.
        var repeats = new List<double>();
        for (int r = 0; r < int.Parse(Arg("--repeat", "0"), System.Globalization.CultureInfo.InvariantCulture); r++)
        {
            clock.Restart();
            BlockLanczos.Solve(new CsrOperator(Laplacian.Build(w)), dim);
            repeats.Add(clock.Elapsed.TotalSeconds);
        }
        return new
        {
            dataset, graph, k, dim, nodes = w.RowCount, nnz = w.NonZeros, graph_seconds = graphSeconds, laplacian_seconds = laplacianSeconds,
            eigen_seconds = eigenSeconds, eigen_jit_seconds = eigenJitSeconds, repeated_eigen_seconds = repeats.Count > 0 ? repeats : null, converged = result.Converged, restarts = result.Iterations, matvecs = result.MatVecs,
            max_residual = result.Residuals.Max(), graph_peak_rss_mb = graphPeak, peak_rss_mb = peak,
            smallest = result.Values[0], largest = result.Values[^1],
            values = args.Contains("--values") ? result.Values : null,
        };
    }

    /// <summary>The process's peak resident set so far, in MiB (Linux: VmHWM), comparable with Python's ru_maxrss.</summary>
    public static double PeakRssMb()
    {
        using var self = Process.GetCurrentProcess();
        return Math.Round(self.PeakWorkingSet64 / 1048576.0, 1);
    }
}
