using EmbedRec.Data;
using EmbedRec.Tensors.Kernels;
using EmbedRec.Tensors.Sparse;

namespace EmbedRec.Graphs;

/// <summary>Options of the Jaccard K-nearest-neighbour graph (SPEC §1.1).</summary>
public sealed record JaccardKnnOptions
{
    /// <summary>
    /// Neighbours kept per node before the union symmetrization. Default 1000, the Leporid paper's
    /// (Zhang et al., KDD 2021, §4 and its code); K ≥ n − 1 keeps every pair with a common element (the dense graph).
    /// </summary>
    public int K { get; init; } = 1000;
}

/// <summary>
/// Exact Jaccard K-nearest-neighbour graphs, as Leporid builds them (SPEC §1.1): over users with their
/// item sets, or over items with their user sets. sim(u, v) = |I(u) ∩ I(v)| / |I(u) ∪ I(v)| on sets
/// (duplicate interactions count once), no self-similarity. Each node keeps its K most similar nodes
/// among those sharing at least one element (higher similarity first, then the lower index), and the
/// graph is the union of these lists made symmetric: W[u, v] = W[v, u] = sim(u, v) when either chose the
/// other. Nodes with an empty set, or sharing nothing, stay isolated.
/// </summary>
/// <remarks>
/// Never forms an n × n matrix: for each node a scatter over the inverted index counts its intersections
/// with every co-occurring node, and a bounded heap selects the top K, so memory is O(n·K + nnz) plus
/// O(n) scratch per thread. Nodes run in parallel; each node's list depends on nothing else, so the
/// result is the same for any thread count. Work is Σ over elements of (its set size)².
/// </remarks>
public static class JaccardKnn
{
    /// <summary>The user graph of a training log: users are similar by the items they share.</summary>
    public static CsrMatrix<double> Users(InteractionLog train, JaccardKnnOptions? options = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        return Build(UserItems.From(train.UserCount, train.User, train.Item, train.ItemCount), train.ItemCount, options, cancel);
    }

    /// <summary>The item graph of a training log: items are similar by the users they share.</summary>
    public static CsrMatrix<double> Items(InteractionLog train, JaccardKnnOptions? options = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        return Build(UserItems.From(train.ItemCount, train.Item, train.User, train.UserCount), train.UserCount, options, cancel);
    }

    /// <summary>
    /// The graph over the rows of <paramref name="sets"/> (node → sorted distinct elements in
    /// [0, <paramref name="elementCount"/>)).
    /// </summary>
    public static CsrMatrix<double> Build(UserItems sets, int elementCount, JaccardKnnOptions? options = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(sets);
        var o = options ?? new JaccardKnnOptions();
        if (o.K < 1) throw new ArgumentOutOfRangeException(nameof(options), o.K, "K must be at least 1.");
        if (elementCount < 0) throw new ArgumentOutOfRangeException(nameof(elementCount), elementCount, "The element count must not be negative.");
        foreach (int e in sets.Items)
            if ((uint)e >= (uint)elementCount) throw new ArgumentOutOfRangeException(nameof(sets), e, $"A set holds element {e}, outside [0, {elementCount}).");
        int n = sets.UserCount;
        var index = Invert(sets, elementCount);
        var cols = new int[n][];
        var vals = new double[n][];
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = Blas.ThreadCount, CancellationToken = cancel },
            () => new Scratch(n, o.K),
            (u, _, s) => { (cols[u], vals[u]) = Nearest(sets, index, u, o.K, s); return s; },
            _ => { });
        return Symmetrize(n, cols, vals);
    }

    /// <summary>Element → nodes containing it, nodes ascending (CSR).</summary>
    private static UserItems Invert(UserItems sets, int elementCount)
    {
        var nodes = new int[sets.PairCount];
        for (int u = 0; u < sets.UserCount; u++) nodes.AsSpan(sets.Offsets[u], sets.Degree(u)).Fill(u);
        return UserItems.From(elementCount, sets.Items, nodes, sets.UserCount);
    }

    private sealed class Scratch(int n, int k)
    {
        public readonly int[] Count = new int[n];
        public readonly int[] Touched = new int[n];
        public readonly int[] HeapNode = new int[Math.Min(k, n)];
        public readonly double[] HeapSim = new double[Math.Min(k, n)];
    }

    /// <summary>Node u's K most similar other nodes, sorted by node index.</summary>
    private static (int[], double[]) Nearest(UserItems sets, UserItems index, int u, int k, Scratch s)
    {
        int touched = 0;
        foreach (int e in sets.Of(u))
            foreach (int v in index.Of(e))
                if (v != u && s.Count[v]++ == 0) s.Touched[touched++] = v;
        int size = sets.Degree(u), kept = 0;
        for (int t = 0; t < touched; t++)
        {
            int v = s.Touched[t], c = s.Count[v];
            s.Count[v] = 0;
            double sim = (double)c / (size + sets.Degree(v) - c);
            if (kept < k) HeapPush(s.HeapNode, s.HeapSim, kept++, v, sim);
            else if (Better(sim, v, s.HeapSim[0], s.HeapNode[0])) HeapReplaceRoot(s.HeapNode, s.HeapSim, kept, v, sim);
        }
        var nodes = s.HeapNode.AsSpan(0, kept).ToArray();
        var sims = s.HeapSim.AsSpan(0, kept).ToArray();
        Array.Sort(nodes, sims);
        return (nodes, sims);
    }

    /// <summary>Higher similarity wins; on equal similarity the lower node index.</summary>
    private static bool Better(double sa, int a, double sb, int b) => sa > sb || (sa == sb && a < b);

    // A min-heap on "Better": the root is the worst of the kept neighbours.
    private static void HeapPush(int[] node, double[] sim, int at, int v, double s)
    {
        node[at] = v; sim[at] = s;
        while (at > 0)
        {
            int parent = (at - 1) >> 1;
            if (!Better(sim[parent], node[parent], sim[at], node[at])) break;
            (node[at], node[parent]) = (node[parent], node[at]);
            (sim[at], sim[parent]) = (sim[parent], sim[at]);
            at = parent;
        }
    }

    private static void HeapReplaceRoot(int[] node, double[] sim, int count, int v, double s)
    {
        node[0] = v; sim[0] = s;
        int at = 0;
        while (true)
        {
            int l = 2 * at + 1, r = l + 1, worst = at;
            if (l < count && Better(sim[worst], node[worst], sim[l], node[l])) worst = l;
            if (r < count && Better(sim[worst], node[worst], sim[r], node[r])) worst = r;
            if (worst == at) return;
            (node[at], node[worst]) = (node[worst], node[at]);
            (sim[at], sim[worst]) = (sim[worst], sim[at]);
            at = worst;
        }
    }

    /// <summary>W[u, v] = W[v, u] = sim when v is in u's list or u in v's (the lists' union; values agree).</summary>
    private static CsrMatrix<double> Symmetrize(int n, int[][] cols, double[][] vals)
    {
        // Incoming lists: who chose v, in ascending order because u runs ascending.
        var inPtr = new int[n + 1];
        for (int u = 0; u < n; u++) foreach (int v in cols[u]) inPtr[v + 1]++;
        for (int v = 0; v < n; v++) inPtr[v + 1] += inPtr[v];
        var fill = (int[])inPtr.Clone();
        var inCol = new int[inPtr[n]];
        var inVal = new double[inPtr[n]];
        for (int u = 0; u < n; u++)
            for (int t = 0; t < cols[u].Length; t++)
            {
                int at = fill[cols[u][t]]++;
                inCol[at] = u;
                inVal[at] = vals[u][t];
            }
        var rowPtr = new int[n + 1];
        for (int u = 0; u < n; u++) rowPtr[u + 1] = rowPtr[u] + Merge(cols[u], vals[u], inCol.AsSpan(inPtr[u], inPtr[u + 1] - inPtr[u]), inVal, inPtr[u], null, null, 0);
        var outCol = new int[rowPtr[n]];
        var outVal = new double[rowPtr[n]];
        for (int u = 0; u < n; u++) Merge(cols[u], vals[u], inCol.AsSpan(inPtr[u], inPtr[u + 1] - inPtr[u]), inVal, inPtr[u], outCol, outVal, rowPtr[u]);
        return new CsrMatrix<double>(n, n, rowPtr, outCol, outVal);
    }

    /// <summary>Merges two ascending lists without duplicates; writes when <paramref name="col"/> is given; returns the length.</summary>
    private static int Merge(int[] a, double[] av, ReadOnlySpan<int> b, double[] bv, int bOffset, int[]? col, double[]? val, int at)
    {
        int i = 0, j = 0, w = at;
        while (i < a.Length || j < b.Length)
        {
            int c; double v;
            if (j == b.Length || (i < a.Length && a[i] < b[j])) { c = a[i]; v = av[i++]; }
            else if (i == a.Length || b[j] < a[i]) { c = b[j]; v = bv[bOffset + j++]; }
            else { c = a[i]; v = av[i++]; j++; }
            if (col is not null) { col[w] = c; val![w] = v; }
            w++;
        }
        return w - at;
    }
}
