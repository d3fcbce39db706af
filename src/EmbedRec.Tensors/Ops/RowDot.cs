using EmbedRec.Tensors.Autograd;

namespace EmbedRec.Tensors;

public static partial class Ops
{
    /// <summary>Row-wise dot products: a, b [..., d] → [...], y = Σ_j a[·, j]·b[·, j] (fused; no [.., d] intermediate).</summary>
    public static Tensor RowDot(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (!ShapeUtil.Equal(a.Shape, b.Shape) || a.Rank < 1)
            throw new ArgumentException($"RowDot: {a.Describe()} and {b.Describe()} must have the same shape of rank ≥ 1.");
        int d = a.Dim(-1), rows = a.Size / Math.Max(1, d);
        var y = Tensor.Pooled(a.ShapeArray[..^1]);
        var xa = a.Span;
        var xb = b.Span;
        var ys = y.Span;
        for (int r = 0; r < rows; r++) ys[r] = TensorPrimitives.Dot(xa.Slice(r * d, d), xb.Slice(r * d, d));
        if (Backprop.Tracks(a, b))
            Backprop.Record(y, "row_dot", [a, b], g =>
            {
                var gs = g.Span;
                var ga = Backprop.GradSpan(a);
                var gb = Backprop.GradSpan(b);
                var av = a.Span;
                var bv = b.Span;
                for (int r = 0; r < rows; r++)
                {
                    if (!ga.IsEmpty) TensorPrimitives.MultiplyAdd(bv.Slice(r * d, d), gs[r], ga.Slice(r * d, d), ga.Slice(r * d, d));
                    if (!gb.IsEmpty) TensorPrimitives.MultiplyAdd(av.Slice(r * d, d), gs[r], gb.Slice(r * d, d), gb.Slice(r * d, d));
                }
            });
        return y;
    }
}
