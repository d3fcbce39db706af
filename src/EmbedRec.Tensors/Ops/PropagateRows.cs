using System.Buffers;
using System.Numerics.Tensors;
using EmbedRec.Tensors.Autograd;
using EmbedRec.Tensors.Sparse;

namespace EmbedRec.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Selected rows of a propagation: Y[r] = scale · (Σ_{l=0..L} Aˡ X)[rows[r]], for a square constant A
    /// [n, n] and X [n, d] → [rows.Length, d]. Equal to <c>Gather(scale · Σ Aˡ X, rows)</c> (LightGCN's
    /// layer mean with scale = 1/(L+1)) but cheaper for a batch of rows: the forward pass needs L − 1 full
    /// products and only the batch rows of the last one; the backward pass starts from the batch rows
    /// (one sparse push) and builds no [n, d] intermediate in the autograd graph. Duplicate rows are allowed.
    /// </summary>
    public static Tensor PropagateRows(CsrMatrix<float> a, Tensor x, int layers, int[] rows, float scale = 1f)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(rows);
        if (a.RowCount != a.ColumnCount)
            throw new ArgumentException($"PropagateRows: the matrix must be square, got {a.RowCount}×{a.ColumnCount}.");
        if (x.Rank != 2 || x.Dim(0) != a.RowCount)
            throw new ArgumentException($"PropagateRows: a {a.RowCount}×{a.ColumnCount} matrix cannot propagate {x.Describe()}; X must be [{a.RowCount}, d].");
        ArgumentOutOfRangeException.ThrowIfNegative(layers);
        int n = a.RowCount, d = x.Dim(1), m = rows.Length;
        for (int r = 0; r < m; r++)
            if ((uint)rows[r] >= (uint)n)
                throw new IndexOutOfRangeException($"PropagateRows: row {rows[r]} at position {r} is out of range for {n} nodes.");

        var y = Tensor.Pooled([m, d]);
        var ys = y.Data;
        var xs = x.Data;
        var pool = ArrayPool<float>.Shared;
        float[]? prev = null, cur = null;
        try
        {
            // X_0 = X; X_l = A·X_{l−1} in full for l < L; accumulate the batch rows of each.
            for (int r = 0; r < m; r++) Array.Copy(xs, rows[r] * d, ys, r * d, d);
            ReadOnlySpan<float> last = xs.AsSpan(0, n * d);
            if (layers > 1)
            {
                prev = pool.Rent(n * d);
                cur = pool.Rent(n * d);
                for (int l = 1; l < layers; l++)
                {
                    a.Multiply(last, cur.AsSpan(0, n * d), d, 0f);
                    for (int r = 0; r < m; r++) TensorPrimitives.Add(ys.AsSpan(r * d, d), cur.AsSpan(rows[r] * d, d), ys.AsSpan(r * d, d));
                    (prev, cur) = (cur, prev);
                    last = prev.AsSpan(0, n * d);
                }
            }
            // The last layer only for the batch rows: (A·X_{L−1})[i] = Σ_j A[i, j] X_{L−1}[j].
            if (layers > 0)
            {
                var rp = a.RowPtr; var ci = a.ColIdx; var v = a.Values;
                for (int r = 0; r < m; r++)
                {
                    var yr = ys.AsSpan(r * d, d);
                    for (int k = rp[rows[r]]; k < rp[rows[r] + 1]; k++)
                        TensorPrimitives.MultiplyAdd(last.Slice(ci[k] * d, d), v[k], yr, yr);
                }
            }
            if (scale != 1f) TensorPrimitives.Multiply(ys.AsSpan(0, m * d), scale, ys.AsSpan(0, m * d));
        }
        finally
        {
            if (prev is not null) pool.Return(prev);
            if (cur is not null) pool.Return(cur);
        }

        if (Backprop.Tracks(x))
        {
            var idx = rows;
            Backprop.Record(y, "propagate_rows", [x], g => PropagateRowsBackward(a, layers, idx, scale, g.Span, Backprop.GradSpan(x), d));
        }
        return y;
    }

    /// <summary>dX += scale · Σ_{l=0..L} (Aᵀ)ˡ Sᵀ G, with S selecting the batch rows. The first hop pushes the
    /// batch rows along A's rows (sparse); the further hops are full products with the cached Aᵀ.</summary>
    private static void PropagateRowsBackward(CsrMatrix<float> a, int layers, int[] rows, float scale, ReadOnlySpan<float> g, Span<float> dx, int d)
    {
        int n = a.RowCount, m = rows.Length;
        for (int r = 0; r < m; r++) TensorPrimitives.MultiplyAdd(g.Slice(r * d, d), scale, dx.Slice(rows[r] * d, d), dx.Slice(rows[r] * d, d));
        if (layers == 0) return;
        var pool = ArrayPool<float>.Shared;
        var hop = pool.Rent(n * d);
        var next = layers > 1 ? pool.Rent(n * d) : null;
        try
        {
            var h = hop.AsSpan(0, n * d);
            h.Clear();
            var rp = a.RowPtr; var ci = a.ColIdx; var v = a.Values;
            for (int r = 0; r < m; r++)
            {
                var gr = g.Slice(r * d, d);
                for (int k = rp[rows[r]]; k < rp[rows[r] + 1]; k++)
                {
                    var t = h.Slice(ci[k] * d, d);
                    TensorPrimitives.MultiplyAdd(gr, v[k], t, t);
                }
            }
            TensorPrimitives.MultiplyAdd(h, scale, dx[..(n * d)], dx[..(n * d)]);
            var at = layers > 1 ? a.Transpose() : null;
            for (int l = 2; l <= layers; l++)
            {
                var nx = next!.AsSpan(0, n * d);
                at!.Multiply(hop.AsSpan(0, n * d), nx, d, 0f);
                TensorPrimitives.MultiplyAdd(nx, scale, dx[..(n * d)], dx[..(n * d)]);
                (hop, next) = (next!, hop);
            }
        }
        finally
        {
            pool.Return(hop);
            if (next is not null) pool.Return(next);
        }
    }
}
