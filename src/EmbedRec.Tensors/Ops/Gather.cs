using EmbedRec.Tensors.Autograd;

namespace EmbedRec.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Embedding lookup: rows of <paramref name="table"/> [V, D] at <paramref name="indices"/>,
    /// giving shape <paramref name="indexShape"/> + [D]. The backward pass scatter-adds into the
    /// table's gradient, or into its row-sparse gradient when <see cref="Tensor.SparseGradients"/>
    /// is set on the table. Rows equal to <paramref name="paddingIndex"/> receive no gradient.
    /// </summary>
    public static Tensor Gather(Tensor table, int[] indices, int[]? indexShape = null, int paddingIndex = -1)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(indices);
        if (table.Rank != 2) throw new ArgumentException($"Gather: the table must be 2-D, got {table.Describe()}.");
        indexShape ??= [indices.Length];
        if (ShapeUtil.Size(indexShape) != indices.Length)
            throw new ArgumentException($"Gather: {indices.Length} indices do not fill index shape {ShapeUtil.Format(indexShape)}.");
        int v = table.Dim(0), d = table.Dim(1);
        for (int i = 0; i < indices.Length; i++)
            if ((uint)indices[i] >= (uint)v)
                throw new IndexOutOfRangeException($"Gather: index {indices[i]} at position {i} is out of range for {table.Describe()} with {v} rows.");
        var y = Tensor.Pooled([.. indexShape, d]);
        var ts = table.Data;
        var ys = y.Data;
        for (int i = 0; i < indices.Length; i++) Array.Copy(ts, indices[i] * d, ys, i * d, d);
        if (Backprop.Tracks(table))
        {
            var idx = indices;
            Backprop.Record(y, "gather", [table], g =>
            {
                var gs = g.Span;
                if (table.SparseGradients && table.IsLeaf)
                {
                    var sparse = table.SparseGrad ??= new RowSparseGradient(v, d);
                    for (int i = 0; i < idx.Length; i++)
                        if (idx[i] != paddingIndex) sparse.Add(idx[i], gs.Slice(i * d, d));
                    return;
                }
                var gt = Backprop.GradSpan(table);
                for (int i = 0; i < idx.Length; i++)
                {
                    if (idx[i] == paddingIndex) continue;
                    var dst = gt.Slice(idx[i] * d, d);
                    TensorPrimitives.Add(dst, gs.Slice(i * d, d), dst);
                }
            });
        }
        return y;
    }

    /// <summary>
    /// Replaces elements where <paramref name="mask"/> is true with <paramref name="value"/>.
    /// The mask has shape <paramref name="maskShape"/>, broadcastable to x's shape.
    /// </summary>
    public static Tensor MaskedFill(Tensor x, bool[] mask, int[] maskShape, float value)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(mask);
        if (ShapeUtil.Size(maskShape) != mask.Length)
            throw new ArgumentException($"MaskedFill: {mask.Length} mask values do not fill shape {ShapeUtil.Format(maskShape)}.");
        var outShape = ShapeUtil.Broadcast(x.Shape, maskShape, "MaskedFill");
        if (!ShapeUtil.Equal(outShape, x.Shape))
            throw new ArgumentException($"MaskedFill: mask shape {ShapeUtil.Format(maskShape)} must broadcast to {x.Describe()}, not enlarge it.");
        var full = mask.Length == x.Size ? mask : new bool[x.Size];
        if (!ReferenceEquals(full, mask)) Broadcasting.Expand<bool>(mask, maskShape, x.Shape, full);
        var y = Tensor.Pooled(x.ShapeArray);
        var xs = x.Span;
        var ys = y.Span;
        for (int i = 0; i < ys.Length; i++) ys[i] = full[i] ? value : xs[i];
        if (Backprop.Tracks(x))
            Backprop.Record(y, "masked_fill", [x], g =>
            {
                var gx = Backprop.GradSpan(x);
                var gs = g.Span;
                for (int i = 0; i < gx.Length; i++) if (!full[i]) gx[i] += gs[i];
            });
        return y;
    }
}
