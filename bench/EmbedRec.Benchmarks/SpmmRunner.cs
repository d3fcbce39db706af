using System.Diagnostics;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Sparse;

namespace EmbedRec.Benchmarks;

/// <summary>
/// <c>quick spmm [--distances 0,4,8,16] [--rounds R]</c>: the float SpMM Y = A·X with X [n, 64] at the graph sizes where it
/// dominates a training step (a LightGCN user–item graph of CiteULike's size, 22,531 nodes and 13 non-zeros per row;
/// SEvo's item–item graph of CiteULike's size, 16,980 nodes and 17 per row; duplicates merged), random columns, for each prefetch distance of
/// <c>CsrMatrix.FloatPrefetchDistance</c> in turn, in alternating rounds in one process (threads: EMBEDREC_THREADS).
/// Reports the median milliseconds per product and GFLOP/s (2 flops per non-zero and column) per distance; the results
/// are the same bits at every distance (checked).
/// </summary>
public static class SpmmRunner
{
    public static object Run(string[] args)
    {
        int di = Array.IndexOf(args, "--distances"), ri = Array.IndexOf(args, "--rounds");
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var distances = di >= 0 && di + 1 < args.Length ? args[di + 1].Split(',').Select(x => int.Parse(x, inv)).ToArray() : [0, 4, 8, 16];
        int rounds = ri >= 0 && ri + 1 < args.Length ? int.Parse(args[ri + 1], inv) : 7;
        if (rounds < 1 || distances.Any(p => p < 0 || p > 1 << 20))
            throw new ArgumentException($"spmm: --rounds must be ≥ 1 (got {rounds}) and --distances in [0, 2^20] (got {string.Join(",", distances)}).");
        var results = new List<object>();
        foreach (var (name, n, perRow) in new[] { ("lightgcn-citeulike", 22_531, 13), ("sevo-ii-citeulike", 16_980, 17) })
        {
            var rng = new Rng(7);
            var rows = new int[n * perRow]; var cols = new int[n * perRow]; var vals = new float[n * perRow];
            for (int i = 0, k = 0; i < n; i++)
                for (int j = 0; j < perRow; j++, k++) { rows[k] = i; cols[k] = (int)(rng.NextUInt64() % (ulong)n); vals[k] = 0.1f; }
            var a = CsrMatrix<float>.FromCoo(n, n, rows, cols, vals);
            const int d = 64;
            var x = new float[n * d]; rng.FillNormal(x);
            var y = new float[n * d];
            var times = distances.ToDictionary(p => p, _ => new List<double>());
            float[]? reference = null;
            int saved = CsrMatrix<float>.FloatPrefetchDistance;
            try
            {
                for (int round = 0; round < rounds; round++)
                    foreach (int p in distances)
                    {
                        CsrMatrix<float>.FloatPrefetchDistance = p;
                        a.Multiply(x, y, d, 0f); // warm
                        var sw = Stopwatch.StartNew();
                        const int reps = 20;
                        for (int r = 0; r < reps; r++) a.Multiply(x, y, d, 0f);
                        times[p].Add(sw.Elapsed.TotalMilliseconds / reps);
                        reference ??= (float[])y.Clone();
                        if (!y.AsSpan().SequenceEqual(reference)) throw new InvalidOperationException($"prefetch distance {p} changed the product");
                    }
            }
            finally { CsrMatrix<float>.FloatPrefetchDistance = saved; }
            // SEvo's transform (β .99, L 3) on this graph, with Δ row-sparse as an SGD step leaves it (256 rows moved, a
            // DirectSpec+ batch) and dense (every row, as Adam's): the first layer skips the zero rows.
            var transform = new EmbedRec.Tensors.Optim.SevoTransform(a, new EmbedRec.Tensors.Optim.SevoOptions());
            var sparse = new float[n * d];
            for (int r = 0; r < 256; r++) { int row = (int)(rng.NextUInt64() % (ulong)n); for (int c = 0; c < d; c++) sparse[row * d + c] = x[row * d + c]; }
            var sevoTimes = new Dictionary<string, List<double>> { ["sevo sparse"] = [], ["sevo dense"] = [] };
            for (int round = 0; round < rounds; round++)
                foreach (var (label, delta) in new[] { ("sevo sparse", sparse), ("sevo dense", x) })
                {
                    transform.Apply(delta, y, d);
                    var sw = Stopwatch.StartNew();
                    const int reps = 20;
                    for (int r = 0; r < reps; r++) transform.Apply(delta, y, d);
                    sevoTimes[label].Add(sw.Elapsed.TotalMilliseconds / reps);
                }
            foreach (var (label, t) in sevoTimes) results.Add(new { graph = name, nodes = n, nonzeros = a.NonZeros, prefetch = label, ms = Median(t), gflops = 0.0 });
            foreach (int p in distances)
            {
                double ms = Median(times[p]);
                results.Add(new { graph = name, nodes = n, nonzeros = a.NonZeros, prefetch = p, ms, gflops = 2.0 * a.NonZeros * d / (ms / 1e3) / 1e9 });
            }
        }
        return results;
    }

    private static double Median(List<double> v)
    {
        var s = v.OrderBy(t => t).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
