namespace EmbedRec.Tensors.Linalg;

/// <summary>Which end of the spectrum the eigensolver looks for.</summary>
public enum EigenEnd
{
    /// <summary>The smallest (most negative) eigenvalues, e.g. of a Laplacian.</summary>
    Smallest,

    /// <summary>The largest eigenvalues, e.g. of a normalized adjacency matrix.</summary>
    Largest,
}

/// <summary>Options of <see cref="BlockLanczos"/>.</summary>
public sealed record EigenOptions
{
    /// <summary>Which eigenvalues to find. Default <see cref="EigenEnd.Smallest"/> (Leporid wants the smallest of its Laplacian, SPEC §1.2).</summary>
    public EigenEnd Which { get; init; } = EigenEnd.Smallest;

    /// <summary>
    /// A pair converges when its residual ‖Mx − λx‖₂ (x of unit norm) is at most this. It is absolute: for
    /// normalized Laplacians ‖M‖ ≤ 2, so it is also relative; scale it with ‖M‖ for unnormalized ones (as
    /// EmbedRec.Graphs.SpectralEmbedding does for its unnormalized Laplacian).
    /// Eigenvalue errors are about residual² / gap, eigenvector angles about residual / gap.
    /// Default 1e-8, well below what float32 embeddings can hold.
    /// </summary>
    public double Tolerance { get; init; } = 1e-8;

    /// <summary>
    /// Restart cycles at most (one cycle fills the basis, then compresses it to its best Ritz vectors).
    /// Default 1000; the result says whether it converged before the cap.
    /// </summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>Vectors per block: the width of every operator application (SpMM). Default 8.</summary>
    public int BlockSize { get; init; } = 8;

    /// <summary>
    /// Largest basis (Krylov subspace) kept before a restart; null = count + max(count, 2·block) + block
    /// (close to ARPACK's and scipy's ncv ≈ 2·count). Memory is 2 · n · this many doubles.
    /// </summary>
    public int? MaxBasisSize { get; init; }

    /// <summary>Seed of the random start block (and of replacements after an invariant subspace). Default 0.</summary>
    public ulong Seed { get; init; }
}

/// <summary>Progress after each restart cycle.</summary>
/// <param name="Iteration">Restart cycles done.</param>
/// <param name="Converged">Wanted pairs whose residual is within the tolerance.</param>
/// <param name="MaxResidual">Largest residual among the wanted pairs.</param>
/// <param name="MatVecs">Operator applications so far, counted per vector.</param>
public sealed record EigenProgress(int Iteration, int Converged, double MaxResidual, long MatVecs);

/// <summary>
/// Eigenpairs from <see cref="BlockLanczos.Solve"/>. Columns are ordered from the requested end inward:
/// ascending eigenvalues for <see cref="EigenEnd.Smallest"/>, descending for <see cref="EigenEnd.Largest"/>
/// (so the smallest of L and the largest of I − L come in the same order). Each vector's sign is fixed:
/// its component of largest magnitude is positive; components within a relative 1e-6 of the largest count
/// as tied, and the first of them decides, so symmetric nodes do not leave the sign to rounding.
/// </summary>
/// <param name="Size">The dimension n.</param>
/// <param name="Count">Pairs returned (k).</param>
/// <param name="Values">Eigenvalues, length k.</param>
/// <param name="Vectors">Orthonormal eigenvectors, row-major [n, k]: column j belongs to Values[j], row i is node i's embedding.</param>
/// <param name="Residuals">‖Mx − λx‖₂ of each returned pair, computed with a fresh application of the operator.</param>
/// <param name="Iterations">Restart cycles run (0 when the problem was small enough to solve densely).</param>
/// <param name="MatVecs">Operator applications, counted per vector.</param>
/// <param name="Converged">Whether every residual is within the tolerance.</param>
public sealed record EigenResult(int Size, int Count, double[] Values, double[] Vectors, double[] Residuals, int Iterations, long MatVecs, bool Converged)
{
    /// <summary>A copy of eigenvector <paramref name="j"/> (length n).</summary>
    public double[] Column(int j)
    {
        if ((uint)j >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(j), j, $"There are {Count} eigenvectors.");
        var c = new double[Size];
        for (int i = 0; i < Size; i++) c[i] = Vectors[(long)i * Count + j];
        return c;
    }
}
