using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EmbedRec.Data;
using EmbedRec.Graphs;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Linalg;
using EmbedRec.Tensors.Sparse;

namespace EmbedRec.Benchmarks;

/// <summary>
/// Leporid at scale: a seeded synthetic power-law interaction log, its item (or user) Jaccard-KNN graph (SPEC §1.1)
/// and the smallest eigenpairs of its regularized normalized Laplacian (§1.2), each phase timed once, with the
/// process's peak resident memory after each phase.
/// Usage: <c>quick leporid-scale [--users 10000] [--items users/10] [--interactions 20·users] [--seed 1] [--k 1000]
/// [--dim 64] [--user-exponent 0.5] [--item-exponent 1] [--graph items|users] [--stats-only]</c>, or
/// <c>quick leporid-scale --sweep [10000,100000,1000000]</c>: each size in its own process (peak memory is per
/// process) with items = users/10 and interactions = 20·users, so the top size is the issue's 10^6 users × 10^5 items
/// × 2·10^7 interactions, and how each phase's time grows with the number of graph nodes between consecutive sizes.
/// Every run reports the work of both graphs (<c>item_pair_work</c>, <c>user_pair_work</c>: Σ over the other side of
/// its set size squared, the intersection counter's increments) and the lower bound of the built graph's memory, so
/// <c>--stats-only</c> (generate the log, report, build nothing) tells whether a size fits before it is tried.
/// </summary>
/// <remarks>
/// Memory at the top size: the log and its two set indexes are a few hundred MB; the K-nearest lists hold n·K = 10^8
/// entries (12 bytes each: an int column and a double), the union-symmetric W at most 2·n·K, and the Laplacian as many
/// again, so the peak stays O(n·K + nnz), a few GB. The log is dropped before the Laplacian and W before the solver;
/// the solver's basis is 2·n·136 doubles (about 220 MB for n = 10^5).
/// </remarks>
public static class LeporidScaleRunner
{
    public static object Run(string[] args)
    {
        string Arg(string name, string fallback) => BenchArgs.Value(args, name, fallback);
        int Int(string name, long fallback) => int.Parse(Arg(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        double Real(string name, string fallback) => double.Parse(Arg(name, fallback), CultureInfo.InvariantCulture);
        var shape = new Shape(0, 0, 0, ulong.Parse(Arg("--seed", "1"), CultureInfo.InvariantCulture), Int("--k", 1000), Int("--dim", 64),
            Real("--user-exponent", "0.5"), Real("--item-exponent", "1"), Arg("--graph", "items"), args.Contains("--stats-only"));
        if (shape.Graph is not ("items" or "users"))
            throw new ArgumentException($"--graph must be 'items' or 'users', got '{shape.Graph}'.");
        int sweep = Array.IndexOf(args, "--sweep");
        if (sweep >= 0)
        {
            string list = sweep + 1 < args.Length && !args[sweep + 1].StartsWith("--") ? args[sweep + 1] : "10000,100000,1000000";
            return Sweep(list.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(), shape);
        }
        int users = Int("--users", 10000);
        return One(shape with { Users = users, Items = Int("--items", users / 10), Interactions = Int("--interactions", 20L * users) });
    }

    /// <summary>Log size and generator parameters of one run.</summary>
    private sealed record Shape(int Users, int Items, int Interactions, ulong Seed, int K, int Dim, double UserExponent, double ItemExponent,
        string Graph, bool StatsOnly);

    private static object One(Shape s)
    {
        var clock = Stopwatch.StartNew();
        InteractionLog? log = PowerLawLog(s);
        double generateSeconds = clock.Elapsed.TotalSeconds;
        var perUser = new int[s.Users];
        foreach (int u in log.User) perUser[u]++;
        var perItem = new int[s.Items];
        foreach (int i in log.Item) perItem[i]++;
        // The item graph counts, for every user, each pair of its items; the user graph, for every item, each pair of its users.
        long itemPairWork = perUser.Sum(d => (long)d * d), userPairWork = perItem.Sum(d => (long)d * d);
        int activeItems = perItem.Count(d => d > 0);
        int interactions = log.Count;
        double logPeak = LeporidRunner.PeakRssMb();
        bool users = s.Graph == "users";
        // Every node keeps min(K, n − 1) neighbours (12 bytes each: an int column and a double), and the union-symmetric W
        // holds at least as many non-zeros: the floor of the graph phase's memory, before the Laplacian (as large as W again).
        long nodeCount = users ? s.Users : s.Items;
        long knnEntries = nodeCount * Math.Min(s.K, nodeCount - 1);
        var stats = new
        {
            graph = s.Graph, users = s.Users, items = s.Items, interactions, seed = s.Seed, user_exponent = s.UserExponent,
            item_exponent = s.ItemExponent, k = s.K, dim = s.Dim, max_user_items = perUser.Max(), max_item_users = perItem.Max(),
            item_pair_work = itemPairWork, user_pair_work = userPairWork, items_with_users = activeItems,
            knn_entries = knnEntries, graph_floor_mb = Math.Round(2 * knnEntries * 12.0 / 1048576), log_peak_rss_mb = logPeak,
        };
        if (s.StatsOnly) return new { stats, generate_seconds = generateSeconds };

        clock.Restart();
        var knn = new JaccardKnnOptions { K = s.K };
        CsrMatrix<double>? w = users ? JaccardKnn.Users(log, knn) : JaccardKnn.Items(log, knn);
        double graphSeconds = clock.Elapsed.TotalSeconds;
        double graphPeak = LeporidRunner.PeakRssMb();
        int nodes = w.RowCount, nnz = w.NonZeros;
        // Drop what the next phase does not read (and collect, untimed) so each peak is that phase's working set.
        log = null;
        GC.Collect();

        clock.Restart();
        var l = Laplacian.Build(w);
        double laplacianSeconds = clock.Elapsed.TotalSeconds;
        w = null;
        GC.Collect();
        clock.Restart();
        var result = BlockLanczos.Solve(new CsrOperator(l), s.Dim);
        double solveSeconds = clock.Elapsed.TotalSeconds;
        return new
        {
            stats, nodes, nnz, csr_mb = Math.Round(nnz * 12.0 / 1048576, 1),
            generate_seconds = generateSeconds, graph_seconds = graphSeconds, laplacian_seconds = laplacianSeconds,
            eigen_seconds = laplacianSeconds + solveSeconds, converged = result.Converged, restarts = result.Iterations,
            matvecs = result.MatVecs, max_residual = result.Residuals.Max(), smallest = result.Values[0], largest = result.Values[^1],
            graph_peak_rss_mb = graphPeak, peak_rss_mb = LeporidRunner.PeakRssMb(),
        };
    }

    /// <summary>Each size in a child process of this benchmark, then the growth exponent of each phase between consecutive sizes.</summary>
    private static object Sweep(int[] userSizes, Shape s)
    {
        var runs = new List<JsonElement>();
        foreach (int users in userSizes)
        {
            string[] child =
            [
                "quick", "leporid-scale", "--json", "--users", $"{users}", "--items", $"{users / 10}", "--interactions", $"{20L * users}",
                "--seed", $"{s.Seed}", "--k", $"{s.K}", "--dim", $"{s.Dim}",
                "--user-exponent", s.UserExponent.ToString(CultureInfo.InvariantCulture), "--item-exponent", s.ItemExponent.ToString(CultureInfo.InvariantCulture),
                "--graph", s.Graph, .. (s.StatsOnly ? ["--stats-only"] : Array.Empty<string>()),
            ];
            var run = RunChild(child);
            runs.Add(run);
            var stats = run.GetProperty("stats");
            if (s.StatsOnly)
            {
                Console.Error.WriteLine($"leporid-scale {users} users: {s.Graph} graph pair work {stats.GetProperty(s.Graph == "users" ? "user_pair_work" : "item_pair_work")}, " +
                    $"memory floor {stats.GetProperty("graph_floor_mb")} MB");
                continue;
            }
            Console.Error.WriteLine($"leporid-scale {users} users: {run.GetProperty("nodes")} nodes, {run.GetProperty("nnz")} nnz, " +
                $"graph {run.GetProperty("graph_seconds")} s, eigen {run.GetProperty("eigen_seconds")} s, peak {run.GetProperty("peak_rss_mb")} MB");
        }
        if (s.StatsOnly) return new { runs };
        double Get(JsonElement e, string name) => e.GetProperty(name).GetDouble();
        var growth = runs.Zip(runs.Skip(1), (a, b) =>
        {
            double scale = Math.Log(Get(b, "nodes") / Get(a, "nodes"));
            return new
            {
                from_nodes = Get(a, "nodes"), to_nodes = Get(b, "nodes"),
                graph_exponent = Math.Log(Get(b, "graph_seconds") / Get(a, "graph_seconds")) / scale,
                eigen_exponent = Math.Log(Get(b, "eigen_seconds") / Get(a, "eigen_seconds")) / scale,
                nnz_exponent = Math.Log(Get(b, "nnz") / Get(a, "nnz")) / scale,
                peak_rss_exponent = Math.Log(Get(b, "peak_rss_mb") / Get(a, "peak_rss_mb")) / scale,
            };
        }).ToList();
        return new { runs, growth };
    }

    /// <summary>Runs this benchmark again with <paramref name="args"/> and returns its <c>leporid_scale</c> result.</summary>
    private static JsonElement RunChild(string[] args)
    {
        string exe = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this process is unknown.");
        var start = new ProcessStartInfo(exe) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet") start.ArgumentList.Add(typeof(LeporidScaleRunner).Assembly.Location);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {exe}.");
        string text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 || !text.Contains('{'))
            throw new InvalidOperationException($"{exe} {string.Join(' ', start.ArgumentList)} failed with exit code {process.ExitCode}.");
        using var doc = JsonDocument.Parse(text[text.IndexOf('{')..]);
        return doc.RootElement.GetProperty("leporid_scale").Clone();
    }

    /// <summary>
    /// A seeded log of <see cref="Shape.Interactions"/> distinct (user, item) pairs. User activity falls with a
    /// random rank r as (r + 1)^−<see cref="Shape.UserExponent"/> (0.5: a Pareto tail with density exponent 3; at
    /// 10^6 users the most active has about 10^4 items and the least about 10), capped at half the items, with the
    /// excess spread over the others and counts rounded so they sum exactly. Each user draws its items without
    /// repetition from a Zipf popularity (q + 1)^−<see cref="Shape.ItemExponent"/> over a random ranking of the items.
    /// </summary>
    private static InteractionLog PowerLawLog(Shape s)
    {
        if (s.Users < 1 || s.Items < 2) throw new ArgumentOutOfRangeException(nameof(s), $"Need at least 1 user and 2 items, got {s.Users} and {s.Items}.");
        int cap = s.Items / 2;
        if (s.Interactions < 1 || s.Interactions > (long)s.Users * cap)
            throw new ArgumentOutOfRangeException(nameof(s), s.Interactions, $"Interactions must be between 1 and users × items/2 = {(long)s.Users * cap}.");
        var rng = new Rng(s.Seed);
        var count = UserCounts(s.Users, s.Interactions, cap, s.UserExponent);
        var userOfRank = Enumerable.Range(0, s.Users).ToArray();
        rng.Shuffle(userOfRank.AsSpan());
        var itemOfRank = Enumerable.Range(0, s.Items).ToArray();
        rng.Shuffle(itemOfRank.AsSpan());
        var cdf = new double[s.Items];
        double total = 0;
        for (int q = 0; q < s.Items; q++) cdf[q] = total += Math.Pow(q + 1, -s.ItemExponent);
        for (int q = 0; q < s.Items; q++) cdf[q] /= total;

        var user = new int[s.Interactions];
        var item = new int[s.Interactions];
        var owner = new int[s.Items];
        Array.Fill(owner, -1);
        int row = 0;
        for (int r = 0; r < s.Users; r++)
        {
            int u = userOfRank[r];
            for (int t = 0; t < count[r]; t++)
            {
                int i;
                do
                {
                    int q = Array.BinarySearch(cdf, rng.NextDouble());
                    i = itemOfRank[Math.Min(q < 0 ? ~q : q, s.Items - 1)];
                } while (owner[i] == u);
                owner[i] = u;
                user[row] = u;
                item[row++] = i;
            }
        }
        if (row < user.Length)
        {
            // Only when rounding met the cap: fewer rows than asked, reported as the log's count.
            Array.Resize(ref user, row);
            Array.Resize(ref item, row);
        }
        var users = IdMap.From(Enumerable.Range(0, s.Users).Select(u => u.ToString(CultureInfo.InvariantCulture)));
        var items = IdMap.From(Enumerable.Range(0, s.Items).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        return new InteractionLog(users, items, user, item, source: $"power-law(seed {s.Seed})");
    }

    /// <summary>Interactions of the user at each activity rank: capped water-filling of the power law, then cumulative rounding.</summary>
    private static int[] UserCounts(int users, int interactions, int cap, double exponent)
    {
        var weight = new double[users];
        for (int r = 0; r < users; r++) weight[r] = Math.Pow(r + 1, -exponent);
        var tail = new double[users + 1];
        for (int r = users - 1; r >= 0; r--) tail[r] = tail[r + 1] + weight[r];
        // Weights fall with rank, so the capped users are a prefix: the shortest one after which the rest fit under the cap.
        int capped = 0;
        while (capped < users && (double)(interactions - (long)capped * cap) * weight[capped] / tail[capped] > cap) capped++;
        var count = new int[users];
        Array.Fill(count, cap, 0, capped);
        double rest = interactions - (long)capped * cap, acc = 0;
        long done = 0;
        for (int r = capped; r < users; r++)
        {
            acc += rest * weight[r] / tail[capped];
            long upTo = r == users - 1 ? (long)rest : (long)Math.Round(acc);
            count[r] = (int)Math.Min(cap, upTo - done);
            done += count[r];
        }
        return count;
    }
}
