using System.Globalization;
using EmbedRec.Tensors.Linalg;
using EmbedRec.Tensors.Sparse;

namespace EmbedRec.Graphs;

/// <summary>
/// Leporid's and Laplacian eigenmaps' node vectors (SPEC §1.2): the eigenvectors of the <c>count</c> smallest
/// eigenvalues of L = I − D_reg^-½ W D_reg^-½, ascending, the trivial first vector kept, by
/// <see cref="BlockLanczos"/> with its deterministic signs. α = 0 is Laplacian eigenmaps. The unnormalized
/// L = D_reg − W (<see cref="LaplacianKind.Unnormalized"/>) is an option beside it (issue 14).
/// </summary>
/// <remarks>
/// Isolated nodes (degree 0) are defined as follows: each is its own eigenvector of L, with eigenvalue exactly 1 for
/// the normalized L and α·d_max for the unnormalized one (0 with α = 0, where it would crowd out the informative
/// vectors), and carries no information, so they are left out of the eigenproblem, which is solved on the other nodes
/// (the same spectrum without those eigenvalues; d_max is unchanged), and their rows are zero. A graph without
/// isolated nodes is passed to the solver as it is. A solver that does not converge within its cap is an
/// <see cref="EigenNotConvergedException"/> with the residuals reached. For the unnormalized L the tolerance is relative
/// to its norm (scaled by ‖L‖/2, see <see cref="Scaled"/>); for the normalized one it is used as given.
/// </remarks>
public static class SpectralEmbedding
{
    /// <summary>The <paramref name="count"/> smallest eigenpairs of the (by default normalized) Laplacian of <paramref name="w"/> with degree regularization <paramref name="alpha"/>.</summary>
    /// <param name="w">The graph (symmetric, non-negative weights).</param>
    /// <param name="count">Vectors wanted, at least 1 and at most the number of non-isolated nodes.</param>
    /// <param name="alpha">α in [0, 1].</param>
    /// <param name="eigen">Solver options (tolerance, cap, seed); <see cref="EigenOptions.Which"/> is set to the smallest.</param>
    /// <param name="what">The graph's name for messages, e.g. "user graph".</param>
    /// <param name="cancel">Cancels the solver between blocks.</param>
    /// <param name="progress">Receives the solver's state after every restart cycle.</param>
    /// <param name="kind">The normalized Laplacian (Leporid's, the default) or the unnormalized one.</param>
    /// <returns>The pairs over all n nodes (isolated nodes' rows zero), and the isolated nodes.</returns>
    public static (EigenResult Result, int[] Isolated) Smallest(CsrMatrix<double> w, int count, double alpha, EigenOptions? eigen = null,
        string what = "graph", CancellationToken cancel = default, IProgress<EigenProgress>? progress = null, LaplacianKind kind = LaplacianKind.Normalized)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (!(alpha >= 0 && alpha <= 1)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, $"α must be in [0, 1]; got {alpha.ToString(CultureInfo.InvariantCulture)}.");
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, $"At least one vector must be requested; got {count}.");
        if (w.RowCount != w.ColumnCount) throw new ArgumentException($"The {what} needs a square matrix, this one is {w.RowCount}×{w.ColumnCount}.", nameof(w));
        int n = w.RowCount;
        var isolated = Enumerable.Range(0, n).Where(i => !HasEdge(w, i)).ToArray();
        int connected = n - isolated.Length;
        if (count > connected)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"{count} vectors were requested of the {what}, which has {n} nodes" +
                (isolated.Length > 0 ? $", {isolated.Length} of them isolated (no edge), so at most {connected} vectors." : $", so at most {n} vectors."));
        var o = (eigen ?? new EigenOptions()) with { Which = EigenEnd.Smallest };
        EigenResult Solve(CsrMatrix<double> graph)
        {
            var l = Laplacian.Build(graph, new LaplacianOptions { Alpha = alpha, Kind = kind });
            var scaled = Scaled(o, l, kind);
            return Checked(BlockLanczos.Solve(new CsrOperator(l), count, scaled, progress, cancel), scaled, what);
        }
        if (isolated.Length == 0) return (Solve(w), isolated);

        var keep = new int[connected];
        var at = new int[n];
        Array.Fill(at, -1);
        for (int i = 0, k = 0; i < n; i++) if (HasEdge(w, i)) { at[i] = k; keep[k++] = i; }
        var r = Solve(Subgraph(w, keep, at));
        var vectors = new double[(long)n * count];
        for (int k = 0; k < connected; k++) Array.Copy(r.Vectors, (long)k * count, vectors, (long)keep[k] * count, count);
        return (r with { Size = n, Vectors = vectors }, isolated);
    }

    /// <summary>
    /// The solver's tolerance is absolute. The normalized L has ‖L‖ ≤ 2, so there it is also relative, and it is used as
    /// given. The unnormalized L = D_reg − W has ‖L‖ up to about 2·d_max (the weighted degree, hundreds on a K = 1000
    /// graph), where the same absolute residual asks for far more digits than the normalized form and can sit near
    /// double rounding; so for it the tolerance is scaled by ‖L‖/2, bounded by the largest absolute row sum
    /// (Gershgorin), and never made stricter than given.
    /// </summary>
    internal static EigenOptions Scaled(EigenOptions o, CsrMatrix<double> l, LaplacianKind kind)
    {
        if (kind != LaplacianKind.Unnormalized) return o;
        double bound = 0;
        for (int r = 0; r < l.RowCount; r++)
        {
            double s = 0;
            for (int p = l.RowPtr[r]; p < l.RowPtr[r + 1]; p++) s += Math.Abs(l.Values[p]);
            bound = Math.Max(bound, s);
        }
        return o with { Tolerance = o.Tolerance * Math.Max(1, bound / 2) };
    }

    private static bool HasEdge(CsrMatrix<double> w, int i)
    {
        for (int p = w.RowPtr[i]; p < w.RowPtr[i + 1]; p++) if (w.Values[p] != 0) return true;
        return false;
    }

    private static CsrMatrix<double> Subgraph(CsrMatrix<double> w, int[] keep, int[] at)
    {
        var rowPtr = new int[keep.Length + 1];
        var cols = new List<int>();
        var vals = new List<double>();
        for (int k = 0; k < keep.Length; k++)
        {
            for (int p = w.RowPtr[keep[k]]; p < w.RowPtr[keep[k] + 1]; p++)
                if (at[w.ColIdx[p]] >= 0) { cols.Add(at[w.ColIdx[p]]); vals.Add(w.Values[p]); }
            rowPtr[k + 1] = cols.Count;
        }
        return new CsrMatrix<double>(keep.Length, keep.Length, rowPtr, cols.ToArray(), vals.ToArray());
    }

    private static EigenResult Checked(EigenResult r, EigenOptions o, string what)
    {
        if (r.Converged) return r;
        int bad = r.Residuals.Count(x => !(x <= o.Tolerance));
        throw new EigenNotConvergedException(what, r.Residuals, o.Tolerance, r.Iterations, bad);
    }
}

/// <summary>The eigensolver stopped at its cap before every residual reached the tolerance; the vectors are not used.</summary>
public sealed class EigenNotConvergedException : InvalidOperationException
{
    /// <summary>Creates the exception with the residuals reached.</summary>
    public EigenNotConvergedException(string what, IReadOnlyList<double> residuals, double tolerance, int iterations, int unconverged)
        : base(Describe(what, residuals, tolerance, iterations, unconverged))
    {
        Residuals = residuals;
        Tolerance = tolerance;
    }

    private static string Describe(string what, IReadOnlyList<double> residuals, double tolerance, int iterations, int unconverged)
    {
        var inv = CultureInfo.InvariantCulture;
        var all = string.Join(", ", residuals.Select(x => x.ToString("G2", inv)));
        return string.Create(inv, $"The eigensolver did not converge on the {what} within {iterations} restart cycles: {unconverged} of {residuals.Count} residuals are above the tolerance {tolerance:G3} ")
            + string.Create(inv, $"(largest {residuals.Max():G3}; residuals reached: {all}). Raise the iteration cap or the tolerance; the vectors were not used.");
    }

    /// <summary>The residual ‖Lx − λx‖ of every pair when the solver stopped.</summary>
    public IReadOnlyList<double> Residuals { get; }

    /// <summary>The tolerance they had to reach.</summary>
    public double Tolerance { get; }
}
