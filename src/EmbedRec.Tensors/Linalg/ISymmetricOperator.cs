using EmbedRec.Tensors.Sparse;

namespace EmbedRec.Tensors.Linalg;

/// <summary>
/// A real symmetric linear operator M of size n × n, applied to blocks of vectors. This is all the
/// eigensolver needs, so a matrix never has to be formed: a CSR matrix, a shifted or scaled one, or any
/// product can stand behind it. Implementations must be symmetric; the solver does not check.
/// </summary>
public interface ISymmetricOperator
{
    /// <summary>The dimension n.</summary>
    int Size { get; }

    /// <summary>
    /// Y = M·X for a dense row-major block X [n, width] into Y [n, width] (Y does not overlap X).
    /// Called from one thread at a time; an implementation may run in parallel inside.
    /// </summary>
    void Apply(ReadOnlySpan<double> x, Span<double> y, int width);
}

/// <summary>A square, symmetric <see cref="CsrMatrix{T}"/> of doubles as an <see cref="ISymmetricOperator"/> (parallel SpMM).</summary>
public sealed class CsrOperator : ISymmetricOperator
{
    /// <summary>Wraps <paramref name="matrix"/>, which must be square; symmetry is the caller's promise.</summary>
    public CsrOperator(CsrMatrix<double> matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (matrix.RowCount != matrix.ColumnCount)
            throw new ArgumentException($"A symmetric operator needs a square matrix, this one is {matrix.RowCount}×{matrix.ColumnCount}.", nameof(matrix));
        Matrix = matrix;
    }

    /// <summary>The wrapped matrix.</summary>
    public CsrMatrix<double> Matrix { get; }

    /// <inheritdoc/>
    public int Size => Matrix.RowCount;

    /// <inheritdoc/>
    public void Apply(ReadOnlySpan<double> x, Span<double> y, int width) => Matrix.Multiply(x, y, width, 0.0);
}
