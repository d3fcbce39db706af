namespace EmbedRec.Tensors.Linalg;

/// <summary>
/// Eigen-decomposition of a small dense real symmetric matrix in double precision: Householder
/// reduction to tridiagonal form, then implicit symmetric QR steps with Wilkinson shifts
/// (Golub and Van Loan, <i>Matrix Computations</i>, §8.3). O(n³); meant for the projected
/// matrices of the sparse eigensolver (a few hundred rows) and for tests.
/// </summary>
public static class SymmetricEigen
{
    /// <summary>
    /// Eigenvalues in ascending order and orthonormal eigenvectors of the symmetric matrix
    /// <paramref name="a"/> (row-major n × n; only its upper triangle is read). Vectors are returned
    /// row-major n × n with column j the eigenvector of eigenvalue j.
    /// </summary>
    /// <exception cref="ArgumentException">The span is not n × n, or holds a non-finite value.</exception>
    /// <exception cref="InvalidOperationException">The QR iteration did not converge (not seen on finite input).</exception>
    public static (double[] Values, double[] Vectors) Decompose(ReadOnlySpan<double> a, int n)
    {
        if (n < 0 || a.Length != (long)n * n) throw new ArgumentException($"SymmetricEigen: {a.Length} values do not form a {n} × {n} matrix.");
        var t = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = i; j < n; j++)
            {
                double v = a[i * n + j];
                if (!double.IsFinite(v)) throw new ArgumentException($"SymmetricEigen: entry ({i}, {j}) is {v}.");
                t[i * n + j] = t[j * n + i] = v;
            }
        var z = new double[n * n]; // row i = column i of the accumulated orthogonal transform
        for (int i = 0; i < n; i++) z[i * n + i] = 1;
        Tridiagonalize(t, z, n);
        var d = new double[n];
        var e = new double[Math.Max(n - 1, 0)];
        for (int i = 0; i < n; i++) d[i] = t[i * n + i];
        for (int i = 0; i + 1 < n; i++) e[i] = t[i * n + i + 1];
        QrIterate(d, e, z, n);
        var order = Enumerable.Range(0, n).ToArray();
        Array.Sort(order, (p, q) => d[p] != d[q] ? d[p].CompareTo(d[q]) : p.CompareTo(q));
        var values = new double[n];
        var vectors = new double[n * n];
        for (int j = 0; j < n; j++)
        {
            values[j] = d[order[j]];
            var src = z.AsSpan(order[j] * n, n);
            for (int r = 0; r < n; r++) vectors[r * n + j] = src[r];
        }
        return (values, vectors);
    }

    /// <summary>T ← Hₖ T Hₖ for k = 0..n−3 (Householder reflections zeroing below the subdiagonal); Z ← Hₖ Z.</summary>
    private static void Tridiagonalize(double[] t, double[] z, int n)
    {
        var v = new double[n];
        var q = new double[n];
        var w = new double[n];
        for (int k = 0; k + 2 < n; k++)
        {
            int len = n - k - 1, o = k + 1;
            double tail = 0, norm = 0;
            for (int i = 0; i < len; i++)
            {
                double x = t[(o + i) * n + k];
                norm += x * x;
                if (i > 0) tail += x * x;
            }
            if (tail == 0) continue; // already tridiagonal in this column
            norm = Math.Sqrt(norm);
            double x0 = t[o * n + k];
            double alpha = x0 >= 0 ? -norm : norm;
            for (int i = 0; i < len; i++) v[i] = t[(o + i) * n + k];
            v[0] -= alpha;
            double vn = Math.Sqrt(TensorPrimitives.SumOfSquares<double>(v.AsSpan(0, len)));
            TensorPrimitives.Divide<double>(v.AsSpan(0, len), vn, v.AsSpan(0, len));
            // S ← S − v qᵀ − q vᵀ with p = S v, q = 2p − 2(vᵀp) v (S = trailing block).
            for (int i = 0; i < len; i++) q[i] = TensorPrimitives.Dot<double>(t.AsSpan((o + i) * n + o, len), v.AsSpan(0, len));
            double kp = TensorPrimitives.Dot<double>(v.AsSpan(0, len), q.AsSpan(0, len));
            for (int i = 0; i < len; i++) q[i] = 2 * q[i] - 2 * kp * v[i];
            for (int i = 0; i < len; i++)
            {
                var row = t.AsSpan((o + i) * n + o, len);
                TensorPrimitives.MultiplyAdd<double>(q.AsSpan(0, len), -v[i], row, row);
                TensorPrimitives.MultiplyAdd<double>(v.AsSpan(0, len), -q[i], row, row);
            }
            t[o * n + k] = t[k * n + o] = alpha;
            for (int i = 1; i < len; i++) t[(o + i) * n + k] = t[k * n + o + i] = 0;
            // Z ← H Z on rows o..n−1: w = vᵀ Z, Z −= 2 v wᵀ.
            Array.Clear(w);
            for (int i = 0; i < len; i++) TensorPrimitives.MultiplyAdd<double>(z.AsSpan((o + i) * n, n), v[i], w, w);
            for (int i = 0; i < len; i++)
            {
                var row = z.AsSpan((o + i) * n, n);
                TensorPrimitives.MultiplyAdd<double>(w, -2 * v[i], row, row);
            }
        }
    }

    /// <summary>Implicit symmetric QR with Wilkinson shifts on the tridiagonal (d, e), rotating the rows of Z.</summary>
    private static void QrIterate(double[] d, double[] e, double[] z, int n)
    {
        const double eps = 2.220446049250313e-16;
        int steps = 0, maxSteps = 40 * Math.Max(n, 1);
        int hi = n - 1;
        while (hi > 0)
        {
            if (Negligible(e[hi - 1], d[hi - 1], d[hi], eps)) { e[hi - 1] = 0; hi--; continue; }
            int lo = hi - 1;
            while (lo > 0 && !Negligible(e[lo - 1], d[lo - 1], d[lo], eps)) lo--;
            if (lo > 0) e[lo - 1] = 0;
            if (++steps > maxSteps) throw new InvalidOperationException($"SymmetricEigen: the QR iteration did not converge in {maxSteps} steps (n = {n}).");
            // Wilkinson shift: the eigenvalue of the trailing 2 × 2 block closer to its last diagonal entry.
            double delta = (d[hi - 1] - d[hi]) / 2, eh = e[hi - 1];
            double mu = d[hi] - eh * eh / (delta + (delta >= 0 ? 1 : -1) * double.Hypot(delta, eh));
            double x = d[lo] - mu, y = e[lo];
            for (int k = lo; k < hi; k++)
            {
                // Rotation R = [c s; −s c] on rows/columns k, k+1 with R·[x; y] = [r; 0].
                double r = double.Hypot(x, y);
                double c = r == 0 ? 1 : x / r, s = r == 0 ? 0 : y / r;
                if (k > lo) e[k - 1] = r;
                double a0 = d[k], b0 = e[k], d0 = d[k + 1];
                d[k] = c * c * a0 + 2 * c * s * b0 + s * s * d0;
                d[k + 1] = s * s * a0 - 2 * c * s * b0 + c * c * d0;
                e[k] = c * s * (d0 - a0) + (c * c - s * s) * b0;
                if (k + 1 < hi)
                {
                    y = s * e[k + 1]; // the bulge at (k, k+2)
                    e[k + 1] *= c;
                    x = e[k];
                }
                Rotate(z.AsSpan(k * n, n), z.AsSpan((k + 1) * n, n), c, s);
            }
        }
    }

    private static bool Negligible(double e, double d0, double d1, double eps) =>
        Math.Abs(e) <= eps * (Math.Abs(d0) + Math.Abs(d1)) || Math.Abs(e) < 1e-300;

    private static void Rotate(Span<double> p, Span<double> q, double c, double s)
    {
        for (int i = 0; i < p.Length; i++)
        {
            double a = p[i], b = q[i];
            p[i] = c * a + s * b;
            q[i] = -s * a + c * b;
        }
    }
}
