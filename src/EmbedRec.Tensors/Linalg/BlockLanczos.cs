namespace EmbedRec.Tensors.Linalg;

/// <summary>
/// A few extreme eigenpairs of a large sparse symmetric operator, in double precision, by thick-restart
/// block Lanczos (Wu and Simon, "Thick-restart Lanczos method for large symmetric eigenvalue problems",
/// SIAM J. Matrix Anal. Appl. 22, 2000; blocked as in Zhou and Saad, 2008). The basis is kept orthonormal
/// by full reorthogonalization (classical Gram–Schmidt, twice), and the projected matrix VᵀMV is formed
/// explicitly from the stored products MV, so rounding cannot create spurious copies of converged pairs.
/// When the basis is full it is compressed to its best Ritz vectors and extended again from the block that
/// continues the Krylov sequence. Problems no larger than the basis are solved densely.
/// </summary>
public static class BlockLanczos
{
    /// <summary>
    /// The <paramref name="count"/> eigenpairs of <paramref name="op"/> at the end chosen by
    /// <see cref="EigenOptions.Which"/>. Stops when all residuals are within the tolerance or after
    /// <see cref="EigenOptions.MaxIterations"/> restart cycles; <see cref="EigenResult.Converged"/> says which.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A count or option is out of range.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> was signalled (checked before every block).</exception>
    public static EigenResult Solve(ISymmetricOperator op, int count, EigenOptions? options = null,
        IProgress<EigenProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(op);
        var o = options ?? new EigenOptions();
        int n = op.Size;
        if (n < 1) throw new ArgumentException($"The operator has size {n}; it needs at least one row.", nameof(op));
        if (count < 1 || count > n) throw new ArgumentOutOfRangeException(nameof(count), count, $"Between 1 and the dimension {n} eigenpairs can be computed.");
        if (!(o.Tolerance > 0)) throw new ArgumentOutOfRangeException(nameof(options), o.Tolerance, "The tolerance must be positive.");
        if (o.MaxIterations < 1) throw new ArgumentOutOfRangeException(nameof(options), o.MaxIterations, "MaxIterations must be at least 1.");
        if (o.BlockSize < 1) throw new ArgumentOutOfRangeException(nameof(options), o.BlockSize, "The block size must be at least 1.");
        int b = o.BlockSize;
        if (o.MaxBasisSize is { } given && given < count + b)
            throw new ArgumentOutOfRangeException(nameof(options), given, $"MaxBasisSize must be at least count + block size = {count + b}.");
        int m = o.MaxBasisSize ?? count + Math.Max(count, 2 * b) + b;
        if (m >= n) return Dense(op, count, o, progress, cancel);
        return new Run(op, count, o, b, m).Solve(progress, cancel);
    }

    private sealed class Run(ISymmetricOperator op, int count, EigenOptions o, int b, int m)
    {
        private readonly int _n = op.Size;
        private readonly double[] _v = new double[(long)op.Size * m];   // basis, column-major [n, m]
        private readonly double[] _av = new double[(long)op.Size * m];  // M·basis
        private readonly double[] _h = new double[m * m];               // VᵀMV, row-major with stride m
        private readonly double[] _p = new double[(long)op.Size * b];   // the next block, column-major
        private readonly double[] _rowX = new double[(long)op.Size * b];
        private readonly double[] _rowY = new double[(long)op.Size * b];
        private readonly Rng _rng = new(o.Seed);
        private int _j;
        private long _matvecs;

        public EigenResult Solve(IProgress<EigenProgress>? progress, CancellationToken cancel)
        {
            for (int i = 0; i < _p.Length; i++) _p[i] = _rng.NextNormal();
            Orthonormalize();
            int retain = count + (m - count - b) / 2, iteration = 0;
            while (true)
            {
                cancel.ThrowIfCancellationRequested();
                if (_j + b > m)
                {
                    iteration++;
                    var (converged, maxResidual) = Restart(retain);
                    progress?.Report(new EigenProgress(iteration, converged, maxResidual, _matvecs));
                    if (converged == count || iteration >= o.MaxIterations) break;
                }
                Append();
                _av.AsSpan((_j - b) * _n, b * _n).CopyTo(_p);
                Orthonormalize();
            }
            return Finish(op, _v, count, o, iteration, _matvecs);
        }

        /// <summary>Moves P into the basis, applies M to it and extends VᵀMV by its new columns.</summary>
        private void Append()
        {
            int n = _n, j = _j;
            _p.CopyTo(_v.AsSpan(j * n, b * n));
            ColumnKernels.ToRowMajor(_p, 0, b, n, _rowX);
            op.Apply(_rowX, _rowY, b);
            ColumnKernels.FromRowMajor(_rowY, b, n, _av, j);
            _matvecs += b;
            var c = new double[(j + b) * b];
            ColumnKernels.Gram(_v, 0, j + b, _av, j, b, n, c);
            for (int i = 0; i < j; i++)
                for (int t = 0; t < b; t++) _h[i * m + j + t] = _h[(j + t) * m + i] = c[i * b + t];
            for (int s = 0; s < b; s++)
                for (int t = 0; t < b; t++) _h[(j + s) * m + j + t] = 0.5 * (c[(j + s) * b + t] + c[(j + t) * b + s]);
            _j = j + b;
        }

        /// <summary>
        /// Orthogonalizes P against the basis (twice) and orthonormalizes it within; a column that vanishes
        /// (the Krylov space became invariant) is replaced by a random one, orthogonalized the same way.
        /// </summary>
        private void Orthonormalize()
        {
            int n = _n;
            var norms = new double[b];
            for (int t = 0; t < b; t++) norms[t] = Norm(_p.AsSpan(t * n, n));
            var c = new double[Math.Max(_j, 1) * b];
            for (int pass = 0; pass < 2 && _j > 0; pass++)
            {
                ColumnKernels.Gram(_v, 0, _j, _p, 0, b, n, c);
                ColumnKernels.SubtractProduct(_v, 0, _j, c, _p, 0, b, n);
            }
            for (int t = 0; t < b; t++)
            {
                var col = _p.AsSpan(t * n, n);
                AgainstPrevious(t);
                double norm = Norm(col);
                if (!(norm > 1e-10 * norms[t]))
                {
                    for (int r = 0; r < n; r++) col[r] = _rng.NextNormal();
                    var ct = new double[Math.Max(_j, 1)];
                    for (int pass = 0; pass < 2 && _j > 0; pass++)
                    {
                        ColumnKernels.Gram(_v, 0, _j, _p, t, 1, n, ct);
                        ColumnKernels.SubtractProduct(_v, 0, _j, ct, _p, t, 1, n);
                    }
                    AgainstPrevious(t);
                    norm = Norm(col);
                }
                TensorPrimitives.Divide<double>(col, norm, col);
            }
        }

        private void AgainstPrevious(int t)
        {
            var col = _p.AsSpan(t * _n, _n);
            for (int pass = 0; pass < 2; pass++)
                for (int s = 0; s < t; s++)
                {
                    var prev = _p.AsSpan(s * _n, _n);
                    TensorPrimitives.MultiplyAdd<double>(prev, -TensorPrimitives.Dot<double>(prev, col), col, col);
                }
        }

        /// <summary>
        /// Rayleigh–Ritz on the full basis: keeps the <paramref name="retain"/> Ritz pairs nearest the wanted
        /// end (wanted first), with VᵀMV now diagonal, and measures the residuals of the wanted ones.
        /// </summary>
        private (int Converged, double MaxResidual) Restart(int retain)
        {
            int n = _n, j = _j;
            var hj = new double[j * j];
            for (int i = 0; i < j; i++) _h.AsSpan(i * m, j).CopyTo(hj.AsSpan(i * j, j));
            var (theta, s) = SymmetricEigen.Decompose(hj, j);
            var sel = new double[j * retain];
            var kept = new double[retain];
            for (int t = 0; t < retain; t++)
            {
                int idx = o.Which == EigenEnd.Smallest ? t : j - 1 - t;
                kept[t] = theta[idx];
                for (int i = 0; i < j; i++) sel[i * retain + t] = s[i * j + idx];
            }
            ColumnKernels.CombineInPlace(_v, j, sel, retain, n);
            ColumnKernels.CombineInPlace(_av, j, sel, retain, n);
            Array.Clear(_h);
            for (int t = 0; t < retain; t++) _h[t * m + t] = kept[t];
            _j = retain;
            int converged = 0;
            double maxResidual = 0;
            var r = new double[n];
            for (int t = 0; t < count; t++)
            {
                TensorPrimitives.MultiplyAdd<double>(_v.AsSpan(t * n, n), -kept[t], _av.AsSpan(t * n, n), r);
                double res = Norm(r);
                maxResidual = Math.Max(maxResidual, res);
                if (res <= o.Tolerance) converged++;
            }
            return (converged, maxResidual);
        }
    }

    /// <summary>Forms M column block by column block and decomposes it (for n no larger than the basis).</summary>
    private static EigenResult Dense(ISymmetricOperator op, int count, EigenOptions o, IProgress<EigenProgress>? progress, CancellationToken cancel)
    {
        int n = op.Size, w = Math.Min(n, 64);
        var dense = new double[n * n];
        var x = new double[n * w];
        var y = new double[n * w];
        for (int c0 = 0; c0 < n; c0 += w)
        {
            cancel.ThrowIfCancellationRequested();
            int cw = Math.Min(w, n - c0);
            Array.Clear(x);
            for (int t = 0; t < cw; t++) x[(c0 + t) * cw + t] = 1;
            op.Apply(x.AsSpan(0, n * cw), y.AsSpan(0, n * cw), cw);
            for (int r = 0; r < n; r++)
                for (int t = 0; t < cw; t++) dense[r * n + c0 + t] = y[r * cw + t];
        }
        for (int r = 0; r < n; r++)
            for (int c = r + 1; c < n; c++) dense[r * n + c] = 0.5 * (dense[r * n + c] + dense[c * n + r]);
        var (_, vectors) = SymmetricEigen.Decompose(dense, n);
        var cols = new double[(long)n * count];
        for (int t = 0; t < count; t++)
        {
            int idx = o.Which == EigenEnd.Smallest ? t : n - 1 - t;
            for (int r = 0; r < n; r++) cols[t * n + r] = vectors[r * n + idx];
        }
        var result = Finish(op, cols, count, o, 0, n);
        progress?.Report(new EigenProgress(0, result.Residuals.Count(res => res <= o.Tolerance), result.Residuals.Max(), result.MatVecs));
        return result;
    }

    /// <summary>
    /// Packages the first <paramref name="count"/> columns of a column-major block of unit vectors: eigenvalues
    /// as Rayleigh quotients and residuals from a fresh application of M, signs fixed, rows made row-major.
    /// </summary>
    private static EigenResult Finish(ISymmetricOperator op, double[] cols, int count, EigenOptions o, int iterations, long matvecs)
    {
        int n = op.Size;
        var x = new double[(long)n * count];
        var mx = new double[(long)n * count];
        for (int t = 0; t < count; t++)
        {
            var col = cols.AsSpan(t * n, n);
            if (col[SignIndex(col)] < 0) TensorPrimitives.Negate<double>(col, col);
        }
        ColumnKernels.ToRowMajor(cols, 0, count, n, x);
        op.Apply(x, mx, count);
        var back = new double[(long)n * count];
        ColumnKernels.FromRowMajor(mx, count, n, back, 0);
        var values = new double[count];
        var residuals = new double[count];
        var r = new double[n];
        for (int t = 0; t < count; t++)
        {
            var xt = cols.AsSpan(t * n, n);
            var mt = back.AsSpan(t * n, n);
            values[t] = TensorPrimitives.Dot<double>(xt, mt);
            TensorPrimitives.MultiplyAdd<double>(xt, -values[t], mt, r);
            residuals[t] = Norm(r);
        }
        return new EigenResult(n, count, values, x, residuals, iterations, matvecs + count, residuals.All(res => res <= o.Tolerance));
    }

    /// <summary>
    /// The first index whose |x| is within a relative 1e-6 of the largest. Nodes related by a symmetry of the
    /// graph (say two users with the same items) have components of exactly equal magnitude in exact arithmetic;
    /// the band keeps rounding and solver error from choosing between them, so the sign stays reproducible.
    /// </summary>
    private static int SignIndex(ReadOnlySpan<double> x)
    {
        double band = TensorPrimitives.MaxMagnitude<double>(x);
        band = Math.Abs(band) * (1 - 1e-6);
        for (int i = 0; i < x.Length; i++) if (Math.Abs(x[i]) >= band) return i;
        return 0;
    }

    private static double Norm(ReadOnlySpan<double> x) => Math.Sqrt(TensorPrimitives.SumOfSquares<double>(x));
}
