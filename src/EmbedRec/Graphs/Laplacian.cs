using EmbedRec.Tensors.Sparse;

namespace EmbedRec.Graphs;

/// <summary>Which Laplacian <see cref="Laplacian.Build"/> forms.</summary>
public enum LaplacianKind
{
    /// <summary>L = I − D_reg^-½ W D_reg^-½ (Leporid; with α = 0 the normalized Laplacian of Laplacian eigenmaps).</summary>
    Normalized,

    /// <summary>L = D_reg − W = (1 − α)D − W + α·d_max·I (with α = 0 the combinatorial Laplacian D − W).</summary>
    Unnormalized,
}

/// <summary>Options of <see cref="Laplacian.Build"/> (SPEC §1.2).</summary>
public sealed record LaplacianOptions
{
    /// <summary>
    /// Degree regularization α in D_reg = (1 − α)D + α·d_max·I. Default 0.5, as in the Leporid paper's
    /// appendix and code (Zhang et al., KDD 2021; its ablation prefers 0.7); 0 gives plain Laplacian eigenmaps.
    /// </summary>
    public double Alpha { get; init; } = 0.5;

    /// <summary>Normalized (the default, what Leporid uses) or unnormalized.</summary>
    public LaplacianKind Kind { get; init; } = LaplacianKind.Normalized;
}

/// <summary>
/// Laplacians of a weighted undirected graph W (symmetric, non-negative; a diagonal is allowed) for
/// Laplacian eigenmaps and Leporid (SPEC §1.2): degrees d_i = Σ_j W[i, j], d_max = max d_i,
/// D_reg = (1 − α)D + α·d_max·I. Leporid's embedding is the eigenvectors of the smallest eigenvalues of the
/// normalized form, equivalently of the largest of <see cref="NormalizedAdjacency"/>. A node whose regularized
/// degree is 0 (isolated with α = 0) gets 0 in D_reg^-½, so its row of the normalized L is the identity's.
/// </summary>
public static class Laplacian
{
    /// <summary>The Laplacian of <paramref name="w"/> chosen by <paramref name="options"/>, with every diagonal entry stored.</summary>
    public static CsrMatrix<double> Build(CsrMatrix<double> w, LaplacianOptions? options = null)
    {
        var o = options ?? new LaplacianOptions();
        var dReg = RegularizedDegrees(w, o.Alpha);
        int n = w.RowCount;
        if (o.Kind == LaplacianKind.Unnormalized) return DiagonalMinus(w, dReg, null);
        var ones = new double[n];
        Array.Fill(ones, 1.0);
        return DiagonalMinus(w, ones, InverseSqrt(dReg));
    }

    /// <summary>D_reg^-½ W D_reg^-½, whose largest eigenpairs are the smallest of the normalized L = I − this.</summary>
    public static CsrMatrix<double> NormalizedAdjacency(CsrMatrix<double> w, double alpha = 0.5)
    {
        var s = InverseSqrt(RegularizedDegrees(w, alpha));
        var vals = new double[w.NonZeros];
        for (int r = 0; r < w.RowCount; r++)
            for (int p = w.RowPtr[r]; p < w.RowPtr[r + 1]; p++) vals[p] = s[r] * w.Values[p] * s[w.ColIdx[p]];
        return new CsrMatrix<double>(w.RowCount, w.ColumnCount, w.RowPtr, w.ColIdx, vals);
    }

    /// <summary>(1 − α)·d_i + α·d_max for every node; validates that W is square with finite non-negative weights.</summary>
    public static double[] RegularizedDegrees(CsrMatrix<double> w, double alpha)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (w.RowCount != w.ColumnCount) throw new ArgumentException($"A graph needs a square matrix, this one is {w.RowCount}×{w.ColumnCount}.", nameof(w));
        if (!(alpha >= 0 && alpha <= 1)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "α must be in [0, 1].");
        for (int p = 0; p < w.NonZeros; p++)
            if (!(w.Values[p] >= 0) || double.IsInfinity(w.Values[p]))
                throw new ArgumentException($"Edge weights must be finite and non-negative; entry {p} (column {w.ColIdx[p]}) is {w.Values[p].ToString(System.Globalization.CultureInfo.InvariantCulture)}.", nameof(w));
        var d = w.RowSums();
        double dMax = d.Length == 0 ? 0 : d.Max();
        for (int i = 0; i < d.Length; i++) d[i] = (1 - alpha) * d[i] + alpha * dMax;
        return d;
    }

    private static double[] InverseSqrt(double[] d)
    {
        var s = new double[d.Length];
        for (int i = 0; i < d.Length; i++) s[i] = d[i] > 0 ? 1 / Math.Sqrt(d[i]) : 0;
        return s;
    }

    /// <summary>diag(a) − S·W·S with S = diag(<paramref name="scale"/>) (identity when null); the diagonal is always stored.</summary>
    private static CsrMatrix<double> DiagonalMinus(CsrMatrix<double> w, double[] a, double[]? scale)
    {
        int n = w.RowCount;
        var rowPtr = new int[n + 1];
        for (int r = 0; r < n; r++)
        {
            bool hasDiagonal = w.ColIdx.AsSpan(w.RowPtr[r], w.RowPtr[r + 1] - w.RowPtr[r]).BinarySearch(r) >= 0;
            rowPtr[r + 1] = rowPtr[r] + w.RowPtr[r + 1] - w.RowPtr[r] + (hasDiagonal ? 0 : 1);
        }
        var cols = new int[rowPtr[n]];
        var vals = new double[rowPtr[n]];
        for (int r = 0; r < n; r++)
        {
            int at = rowPtr[r];
            bool placed = false;
            for (int p = w.RowPtr[r]; p <= w.RowPtr[r + 1]; p++)
            {
                int c = p < w.RowPtr[r + 1] ? w.ColIdx[p] : int.MaxValue;
                if (!placed && c >= r)
                {
                    cols[at] = r;
                    vals[at] = a[r];
                    placed = true;
                    if (c != r) at++;
                }
                if (p == w.RowPtr[r + 1]) break;
                double v = scale is null ? w.Values[p] : scale[r] * w.Values[p] * scale[c];
                if (c == r) vals[at] -= v;
                else { cols[at] = c; vals[at] = -v; }
                at++;
            }
        }
        return new CsrMatrix<double>(n, n, rowPtr, cols, vals);
    }
}
