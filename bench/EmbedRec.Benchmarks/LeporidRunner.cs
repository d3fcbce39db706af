using System.Diagnostics;
using EmbedRec.Data.Registry;
using EmbedRec.Graphs;
using EmbedRec.Tensors.Linalg;

namespace EmbedRec.Benchmarks;

/// <summary>
/// Scale check of Leporid's spectrum (SPEC §1.2): the Jaccard-KNN graph of a dataset's users or items, the
/// regularized normalized Laplacian and its smallest eigenvectors, each step timed once.
/// Usage: <c>quick leporid [--dataset NAME] [--graph items|users] [--k 1000] [--dim 64] [--values]</c>
/// (<c>--values</c> lists the eigenvalues, e.g. to compare with <c>bench/peers/leporid_peer.py</c>).
/// </summary>
public static class LeporidRunner
{
    public static object Run(string[] args)
    {
        string Arg(string name, string fallback)
        {
            int i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }
        string dataset = Arg("--dataset", "ml-100k"), graph = Arg("--graph", "items");
        int k = int.Parse(Arg("--k", "1000"), System.Globalization.CultureInfo.InvariantCulture);
        int dim = int.Parse(Arg("--dim", "64"), System.Globalization.CultureInfo.InvariantCulture);
        var reg = new DatasetRegistry(Environment.GetEnvironmentVariable("EMBEDREC_DATA") ?? Path.GetFullPath(Path.Combine("..", "shared", "data")), KnownDatasets.All);
        var log = reg.Load(dataset).Log;
        var clock = Stopwatch.StartNew();
        var options = new JaccardKnnOptions { K = k };
        var w = graph == "users" ? JaccardKnn.Users(log, options) : JaccardKnn.Items(log, options);
        double graphSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var l = Laplacian.Build(w);
        var result = BlockLanczos.Solve(new CsrOperator(l), dim);
        double eigenSeconds = clock.Elapsed.TotalSeconds;
        return new
        {
            dataset, graph, k, dim, nodes = w.RowCount, nnz = w.NonZeros, graph_seconds = graphSeconds, eigen_seconds = eigenSeconds,
            converged = result.Converged, restarts = result.Iterations, matvecs = result.MatVecs, max_residual = result.Residuals.Max(),
            smallest = result.Values[0], largest = result.Values[^1],
            values = args.Contains("--values") ? result.Values : null,
        };
    }
}
