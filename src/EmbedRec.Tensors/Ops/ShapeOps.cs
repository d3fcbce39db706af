using EmbedRec.Tensors.Autograd;

namespace EmbedRec.Tensors;

public static partial class Ops
{
    /// <summary>The same elements under a new shape (one dimension may be −1). Shares the buffer.</summary>
    public static Tensor Reshape(Tensor x, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(x);
        var s = (int[])shape.Clone();
        int infer = Array.IndexOf(s, -1);
        if (infer >= 0)
        {
            int known = 1;
            for (int i = 0; i < s.Length; i++) if (i != infer) known *= s[i];
            if (known == 0 || x.Size % known != 0)
                throw new ArgumentException($"Reshape: cannot infer −1 in {ShapeUtil.Format(shape)} for {x.Describe()}.");
            s[infer] = x.Size / known;
        }
        if (ShapeUtil.Size(s) != x.Size)
            throw new ArgumentException($"Reshape: {x.Describe()} has {x.Size} elements, shape {ShapeUtil.Format(shape)} has {ShapeUtil.Size(s)}.");
        var y = x.View(s);
        if (Backprop.Tracks(x)) Backprop.Record(y, "reshape", [x], g => Backprop.SumAcc(x, g));
        return y;
    }

    /// <summary>Swaps two dimensions (copies).</summary>
    public static Tensor Transpose(Tensor x, int dim0, int dim1)
    {
        ArgumentNullException.ThrowIfNull(x);
        var perm = Enumerable.Range(0, x.Rank).ToArray();
        dim0 = ShapeUtil.NormalizeAxis(dim0, x.Rank, "Transpose");
        dim1 = ShapeUtil.NormalizeAxis(dim1, x.Rank, "Transpose");
        (perm[dim0], perm[dim1]) = (perm[dim1], perm[dim0]);
        return Permute(x, perm);
    }

    /// <summary>Reorders dimensions: output dimension i is input dimension <paramref name="perm"/>[i] (copies).</summary>
    public static Tensor Permute(Tensor x, params int[] perm)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (perm.Length != x.Rank || perm.OrderBy(p => p).Where((p, i) => p != i).Any())
            throw new ArgumentException($"Permute: {ShapeUtil.Format(perm)} is not a permutation of the {x.Rank} dimensions of {x.Describe()}.");
        var outShape = perm.Select(p => x.ShapeArray[p]).ToArray();
        var y = Tensor.Pooled(outShape);
        PermuteCopy(x.Span, x.ShapeArray, perm, y.Span, accumulate: false);
        if (Backprop.Tracks(x))
            Backprop.Record(y, "permute", [x], g =>
            {
                var inv = new int[perm.Length];
                for (int i = 0; i < perm.Length; i++) inv[perm[i]] = i;
                PermuteCopy(g.Span, outShape, inv, Backprop.GradSpan(x), accumulate: true);
            });
        return y;
    }

    private static void PermuteCopy(ReadOnlySpan<float> src, int[] srcShape, int[] perm, Span<float> dst, bool accumulate)
    {
        int rank = srcShape.Length;
        if (rank == 0) { if (accumulate) dst[0] += src[0]; else dst[0] = src[0]; return; }
        var srcStrides = ShapeUtil.Strides(srcShape);
        Span<int> outShape = stackalloc int[rank];
        Span<int> stride = stackalloc int[rank];
        for (int i = 0; i < rank; i++) { outShape[i] = srcShape[perm[i]]; stride[i] = srcStrides[perm[i]]; }
        Span<int> idx = stackalloc int[rank];
        int inner = outShape[rank - 1], innerStride = stride[rank - 1];
        int outer = dst.Length / Math.Max(1, inner);
        for (int o = 0; o < outer; o++)
        {
            int s = 0;
            for (int d = 0; d < rank - 1; d++) s += idx[d] * stride[d];
            var row = dst.Slice(o * inner, inner);
            if (accumulate) for (int j = 0; j < inner; j++) row[j] += src[s + j * innerStride];
            else for (int j = 0; j < inner; j++) row[j] = src[s + j * innerStride];
            for (int d = rank - 2; d >= 0; d--)
            {
                if (++idx[d] < outShape[d]) break;
                idx[d] = 0;
            }
        }
    }

    /// <summary>Joins tensors along <paramref name="axis"/>; other dimensions must agree.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int axis)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ArgumentException("Concat needs at least one tensor.");
        var first = tensors[0];
        axis = ShapeUtil.NormalizeAxis(axis, first.Rank, "Concat");
        int total = 0;
        foreach (var t in tensors)
        {
            bool ok = t.Rank == first.Rank;
            for (int d = 0; ok && d < t.Rank; d++) ok = d == axis || t.ShapeArray[d] == first.ShapeArray[d];
            if (!ok)
                throw new ArgumentException($"Concat along axis {axis}: {t.Describe()} does not match {first.Describe()} outside that axis.");
            total += t.ShapeArray[axis];
        }
        var shape = (int[])first.ShapeArray.Clone();
        shape[axis] = total;
        var (outer, _, inner) = ShapeUtil.Split(shape, axis);
        var y = Tensor.Pooled(shape);
        var ys = y.Span;
        int offset = 0;
        foreach (var t in tensors)
        {
            int w = t.ShapeArray[axis] * inner;
            var ts = t.Span;
            for (int o = 0; o < outer; o++) ts.Slice(o * w, w).CopyTo(ys.Slice(o * total * inner + offset, w));
            offset += w;
        }
        var inputs = tensors.ToArray();
        if (GradMode.IsEnabled && inputs.Any(t => t.RequiresGrad))
            Backprop.Record(y, "concat", inputs, g =>
            {
                var gs = g.Span;
                int off = 0;
                foreach (var t in inputs)
                {
                    int w = t.ShapeArray[axis] * inner;
                    if (t.RequiresGrad)
                    {
                        var gt = Backprop.GradSpan(t);
                        for (int o = 0; o < outer; o++)
                        {
                            var dst = gt.Slice(o * w, w);
                            TensorPrimitives.Add(dst, gs.Slice(o * total * inner + off, w), dst);
                        }
                    }
                    off += w;
                }
            });
        return y;
    }

    /// <summary>Elements [start, start+length) along <paramref name="axis"/> (copies).</summary>
    public static Tensor Slice(Tensor x, int axis, int start, int length)
    {
        ArgumentNullException.ThrowIfNull(x);
        axis = ShapeUtil.NormalizeAxis(axis, x.Rank, "Slice");
        int n = x.ShapeArray[axis];
        if (start < 0 || length < 0 || start + length > n)
            throw new ArgumentOutOfRangeException(nameof(start), $"Slice [{start}, {start + length}) is outside axis {axis} of length {n} of {x.Describe()}.");
        var shape = (int[])x.ShapeArray.Clone();
        shape[axis] = length;
        var (outer, _, inner) = ShapeUtil.Split(x.Shape, axis);
        var y = Tensor.Pooled(shape);
        var xs = x.Span;
        var ys = y.Span;
        int w = length * inner;
        for (int o = 0; o < outer; o++) xs.Slice((o * n + start) * inner, w).CopyTo(ys.Slice(o * w, w));
        if (Backprop.Tracks(x))
            Backprop.Record(y, "slice", [x], g =>
            {
                var gx = Backprop.GradSpan(x);
                var gs = g.Span;
                for (int o = 0; o < outer; o++)
                {
                    var dst = gx.Slice((o * n + start) * inner, w);
                    TensorPrimitives.Add(dst, gs.Slice(o * w, w), dst);
                }
            });
        return y;
    }
}
