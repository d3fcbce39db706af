using EmbedRec.Tensors.Autograd;
using EmbedRec.Tensors.Kernels;

namespace EmbedRec.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Fused affine map x·Wᵀ + b over the last axis: x [..., in], weight [out, in], bias [out] or
    /// null → [..., out]. One GEMM forward (bias pre-filled, β = 1) and two backward.
    /// </summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank != 2 || x.Rank < 1 || x.Dim(-1) != weight.Dim(1))
            throw new ArgumentException($"Linear: input {x.Describe()} does not match weight {weight.Describe()} (expected [..., {weight.Dim(1)}]).");
        int inF = weight.Dim(1), outF = weight.Dim(0), rows = x.Size / Math.Max(1, inF);
        if (bias is not null && bias.Size != outF) throw new ArgumentException($"Linear: bias {bias.Describe()} must have {outF} elements.");
        var shape = (int[])x.ShapeArray.Clone();
        shape[^1] = outF;
        var y = Tensor.Pooled(shape);
        var ys = y.Span;
        if (bias is not null) for (int r = 0; r < rows; r++) bias.Span.CopyTo(ys.Slice(r * outF, outF));
        Blas.Current.Sgemm(false, true, rows, outF, inF, 1f, x.Span, inF, weight.Span, inF, bias is null ? 0f : 1f, ys, outF);
        if (!Backprop.Tracks(x, weight, bias)) return y;
        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        Backprop.Record(y, "linear", inputs, g =>
        {
            var gs = g.Span;
            if (x.RequiresGrad) Blas.Current.Sgemm(false, false, rows, inF, outF, 1f, gs, outF, weight.Span, inF, 1f, Backprop.GradSpan(x), inF);
            if (weight.RequiresGrad) Blas.Current.Sgemm(true, false, outF, inF, rows, 1f, gs, outF, x.Span, inF, 1f, Backprop.GradSpan(weight), inF);
            if (bias is not null && bias.RequiresGrad)
            {
                var gb = Backprop.GradSpan(bias);
                for (int r = 0; r < rows; r++) TensorPrimitives.Add(gb, gs.Slice(r * outF, outF), gb);
            }
        });
        return y;
    }
}
