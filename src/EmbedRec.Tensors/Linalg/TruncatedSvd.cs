using System.Globalization;
using EmbedRec.Tensors.Sparse;

namespace EmbedRec.Tensors.Linalg;

/// <summary>
/// The top singular triplets A ≈ U·Σ·Vᵀ of a sparse matrix, from <see cref="BlockLanczos"/> on the Gram
/// operator of the smaller side (AᵀA when A has no more columns than rows, else AAᵀ, never formed): its largest
/// eigenpairs are σ² with the vectors of that side; the other side is A·v/σ (or Aᵀ·u/σ), zero where σ = 0.
/// Signs follow the solver's deterministic rule on the Gram side.
/// </summary>
public static class TruncatedSvd
{
    /// <summary>
    /// The <paramref name="count"/> largest singular values (descending) with their left [rows, count] and right
    /// [columns, count] singular vectors (row-major). <see cref="EigenOptions.Tolerance"/> is taken relative to
    /// ‖A‖₁·‖A‖∞ ≥ σ_max² (the Gram operator's scale); <see cref="EigenOptions.Which"/> is set to the largest.
    /// </summary>
    /// <exception cref="InvalidOperationException">The solver did not converge within its cap; the message gives the residuals.</exception>
    public static SvdResult Compute(CsrMatrix<double> a, int count, EigenOptions? options = null, CancellationToken cancel = default,
        IProgress<EigenProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        int small = Math.Min(a.RowCount, a.ColumnCount);
        if (count < 1 || count > small)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"A {a.RowCount}×{a.ColumnCount} matrix has at most {small} singular triplets; {count} were requested.");
        var at = a.Transpose();
        bool right = a.ColumnCount <= a.RowCount;
        var (outer, inner) = right ? (a, at) : (at, a); // the Gram operator is x ↦ inner·(outer·x)
        double scale = MaxAbsRowSum(a) * MaxAbsRowSum(at);
        if (!(scale > 0) || !(scale * 1e-30 > 0)) scale = 1; // an all-zero (or denormal) matrix: σ = 0, converged at once
        var o = (options ?? new EigenOptions()) with { Which = EigenEnd.Largest };
        o = o with { Tolerance = o.Tolerance * scale };
        var r = BlockLanczos.Solve(new Gram(outer, inner), count, o, progress, cancel);
        if (!r.Converged)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Truncated SVD of a {a.RowCount}×{a.ColumnCount} matrix did not converge within {r.Iterations} restart cycles: residuals reached " +
                $"{string.Join(", ", r.Residuals.Select(x => x.ToString("G2", CultureInfo.InvariantCulture)))} for a tolerance of {o.Tolerance:G3}."));
        var sigma = r.Values.Select(v => Math.Sqrt(Math.Max(v, 0))).ToArray();
        int m = outer.RowCount;
        var other = new double[(long)m * count];
        outer.Multiply(r.Vectors, other, count, 0.0);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < count; j++) other[(long)i * count + j] = sigma[j] > 0 ? other[(long)i * count + j] / sigma[j] : 0;
        return right
            ? new SvdResult(count, sigma, other, r.Vectors, r.Residuals)
            : new SvdResult(count, sigma, r.Vectors, other, r.Residuals);
    }

    private static double MaxAbsRowSum(CsrMatrix<double> a)
    {
        double best = 0;
        for (int i = 0; i < a.RowCount; i++)
        {
            double s = 0;
            for (int p = a.RowPtr[i]; p < a.RowPtr[i + 1]; p++) s += Math.Abs(a.Values[p]);
            best = Math.Max(best, s);
        }
        return best;
    }

    /// <summary>x ↦ inner·(outer·x): AᵀA with outer = A, inner = Aᵀ.</summary>
    private sealed class Gram(CsrMatrix<double> outer, CsrMatrix<double> inner) : ISymmetricOperator
    {
        private double[] _tmp = [];

        public int Size => outer.ColumnCount;

        public void Apply(ReadOnlySpan<double> x, Span<double> y, int width)
        {
            long need = (long)outer.RowCount * width;
            if (_tmp.Length < need) _tmp = new double[need];
            var tmp = _tmp.AsSpan(0, (int)need);
            outer.Multiply(x, tmp, width, 0.0);
            inner.Multiply(tmp, y, width, 0.0);
        }
    }
}

/// <summary>The result of <see cref="TruncatedSvd.Compute"/>.</summary>
/// <param name="Count">Triplets k.</param>
/// <param name="Values">Singular values, descending.</param>
/// <param name="Left">U, row-major [rows, k].</param>
/// <param name="Right">V, row-major [columns, k].</param>
/// <param name="Residuals">‖Gx − σ²x‖ of each pair of the Gram operator G.</param>
public sealed record SvdResult(int Count, double[] Values, double[] Left, double[] Right, double[] Residuals);
