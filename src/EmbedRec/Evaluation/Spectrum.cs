namespace EmbedRec.Evaluation;

/// <summary>
/// Singular-value spectrum of an embedding matrix H [n × d] and its effective rank
/// erank(H) = exp(−Σ p_k log p_k) with p_k = σ_k / Σσ (Roy and Vetterli, 2007; DirectSpec's measure of
/// dimensional collapse). The singular values come from the eigenvalues of HᵀH (d × d, cyclic Jacobi in
/// double precision), so the cost is one pass over H plus O(d³).
/// </summary>
public static class Spectrum
{
    /// <summary>Singular values of <paramref name="h"/> (row-major [rows × dim]) in descending order.</summary>
    public static double[] SingularValues(ReadOnlySpan<float> h, int dim)
    {
        if (dim < 1 || h.Length % dim != 0) throw new ArgumentException($"{h.Length} values are not whole rows of dimension {dim}.");
        int rows = h.Length / dim;
        var g = new double[dim * dim];
        for (int r = 0; r < rows; r++)
        {
            var row = h.Slice(r * dim, dim);
            for (int i = 0; i < dim; i++)
            {
                double a = row[i];
                if (a == 0) continue;
                for (int j = i; j < dim; j++) g[i * dim + j] += a * row[j];
            }
        }
        for (int i = 0; i < dim; i++) for (int j = 0; j < i; j++) g[i * dim + j] = g[j * dim + i];
        var eig = SymmetricEigenvalues(g, dim);
        return eig.Select(l => Math.Sqrt(Math.Max(0, l))).OrderDescending().ToArray();
    }

    /// <summary>The singular values normalized to sum 1 (the spectrum DirectSpec plots).</summary>
    public static double[] Normalized(ReadOnlySpan<float> h, int dim)
    {
        var s = SingularValues(h, dim);
        double sum = s.Sum();
        return sum == 0 ? s : s.Select(x => x / sum).ToArray();
    }

    /// <summary>Effective rank, between 1 and dim (0 for a zero matrix).</summary>
    public static double EffectiveRank(ReadOnlySpan<float> h, int dim) => EffectiveRank(Normalized(h, dim));

    /// <summary>Effective rank from a spectrum already normalized to sum 1 (0 for an all-zero spectrum).</summary>
    public static double EffectiveRank(IReadOnlyList<double> p)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (p.Sum() == 0) return 0;
        double ent = 0;
        foreach (double x in p) if (x > 0) ent -= x * Math.Log(x);
        return Math.Exp(ent);
    }

    private static double[] SymmetricEigenvalues(double[] a, int n)
    {
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) off += a[i * n + j] * a[i * n + j];
            if (off < 1e-22 * Math.Max(1e-300, Enumerable.Range(0, n).Sum(i => a[i * n + i] * a[i * n + i]))) break;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                {
                    double apq = a[p * n + q];
                    if (Math.Abs(apq) < 1e-300) continue;
                    double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                    double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k * n + p], akq = a[k * n + q];
                        a[k * n + p] = c * akp - s * akq;
                        a[k * n + q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[p * n + k], aqk = a[q * n + k];
                        a[p * n + k] = c * apk - s * aqk;
                        a[q * n + k] = s * apk + c * aqk;
                    }
                }
        }
        return Enumerable.Range(0, n).Select(i => a[i * n + i]).ToArray();
    }
}
