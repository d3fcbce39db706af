using EmbedRec.Tensors.Autograd;
using EmbedRec.Tensors.Sparse;

namespace EmbedRec.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Sparse × dense: A [m, n] (constant) times X [n, d] → [m, d]. Backward: dX += Aᵀ·dY, with
    /// Aᵀ built once and cached on the matrix.
    /// </summary>
    public static Tensor SpMM(CsrMatrix<float> a, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 2 || x.Dim(0) != a.ColumnCount)
            throw new ArgumentException($"SpMM: a {a.RowCount}×{a.ColumnCount} sparse matrix cannot multiply {x.Describe()}; X must be [{a.ColumnCount}, d].");
        int d = x.Dim(1);
        var y = Tensor.Pooled([a.RowCount, d]);
        a.Multiply(x.Span, y.Span, d, 0f);
        if (Backprop.Tracks(x))
            Backprop.Record(y, "spmm", [x], g => a.Transpose().Multiply(g.Span, Backprop.GradSpan(x), d, 1f));
        return y;
    }
}
