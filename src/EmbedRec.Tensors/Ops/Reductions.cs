using EmbedRec.Tensors.Autograd;

namespace EmbedRec.Tensors;

public static partial class Ops
{
    /// <summary>Sum of all elements, shape [].</summary>
    public static Tensor Sum(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = Tensor.Pooled([]);
        y.Span[0] = TensorPrimitives.Sum(x.Span);
        if (Backprop.Tracks(x))
            Backprop.Record(y, "sum", [x], g =>
            {
                var gx = Backprop.GradSpan(x);
                TensorPrimitives.Add(gx, g.Span[0], gx);
            });
        return y;
    }

    /// <summary>Mean of all elements, shape [].</summary>
    public static Tensor Mean(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Size == 0) throw new ArgumentException($"Mean of an empty {x.Describe()}.");
        var y = Tensor.Pooled([]);
        y.Span[0] = TensorPrimitives.Sum(x.Span) / x.Size;
        if (Backprop.Tracks(x))
            Backprop.Record(y, "mean", [x], g =>
            {
                var gx = Backprop.GradSpan(x);
                TensorPrimitives.Add(gx, g.Span[0] / x.Size, gx);
            });
        return y;
    }

    /// <summary>Sum along <paramref name="axis"/>.</summary>
    public static Tensor Sum(Tensor x, int axis, bool keepDim = false) => AxisSum(x, axis, keepDim, false);

    /// <summary>Mean along <paramref name="axis"/>.</summary>
    public static Tensor Mean(Tensor x, int axis, bool keepDim = false) => AxisSum(x, axis, keepDim, true);

    private static int[] ReducedShape(Tensor x, int axis, bool keepDim)
    {
        var s = x.ShapeArray.ToList();
        if (keepDim) s[axis] = 1; else s.RemoveAt(axis);
        return [.. s];
    }

    private static Tensor AxisSum(Tensor x, int axis, bool keepDim, bool mean)
    {
        ArgumentNullException.ThrowIfNull(x);
        axis = ShapeUtil.NormalizeAxis(axis, x.Rank, mean ? "Mean" : "Sum");
        var (outer, n, inner) = ShapeUtil.Split(x.Shape, axis);
        var y = Tensor.Pooled(ReducedShape(x, axis, keepDim), clear: true);
        var xs = x.Span;
        var ys = y.Span;
        float scale = mean ? 1f / Math.Max(1, n) : 1f;
        for (int o = 0; o < outer; o++)
        {
            var dst = ys.Slice(o * inner, inner);
            if (inner == 1) dst[0] = TensorPrimitives.Sum(xs.Slice(o * n, n));
            else for (int a = 0; a < n; a++) TensorPrimitives.Add(dst, xs.Slice((o * n + a) * inner, inner), dst);
        }
        if (mean) TensorPrimitives.Multiply(ys, scale, ys);
        if (Backprop.Tracks(x))
            Backprop.Record(y, mean ? "mean_axis" : "sum_axis", [x], g =>
            {
                var gx = Backprop.GradSpan(x);
                var gs = g.Span;
                for (int o = 0; o < outer; o++)
                {
                    var src = gs.Slice(o * inner, inner);
                    for (int a = 0; a < n; a++)
                    {
                        var dst = gx.Slice((o * n + a) * inner, inner);
                        TensorPrimitives.MultiplyAdd(src, scale, dst, dst);
                    }
                }
            });
        return y;
    }

    /// <summary>Maximum along <paramref name="axis"/> (the gradient goes to the first maximal element).</summary>
    public static Tensor Max(Tensor x, int axis, bool keepDim = false) => Max(x, axis, keepDim, out _);

    /// <summary>Maximum along <paramref name="axis"/>, with the index of the (first) maximum.</summary>
    public static Tensor Max(Tensor x, int axis, bool keepDim, out int[] argMax)
    {
        ArgumentNullException.ThrowIfNull(x);
        axis = ShapeUtil.NormalizeAxis(axis, x.Rank, "Max");
        var (outer, n, inner) = ShapeUtil.Split(x.Shape, axis);
        if (n == 0) throw new ArgumentException($"Max over an empty axis {axis} of {x.Describe()}.");
        var y = Tensor.Pooled(ReducedShape(x, axis, keepDim));
        var arg = new int[outer * inner];
        var xs = x.Span;
        var ys = y.Span;
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int best = 0;
                float bv = xs[o * n * inner + i];
                for (int a = 1; a < n; a++)
                {
                    float v = xs[(o * n + a) * inner + i];
                    if (v > bv || (float.IsNaN(v) && !float.IsNaN(bv))) { bv = v; best = a; }
                }
                ys[o * inner + i] = bv;
                arg[o * inner + i] = best;
            }
        argMax = arg;
        if (Backprop.Tracks(x))
            Backprop.Record(y, "max_axis", [x], g =>
            {
                var gx = Backprop.GradSpan(x);
                var gs = g.Span;
                for (int o = 0; o < outer; o++)
                    for (int i = 0; i < inner; i++)
                        gx[(o * n + arg[o * inner + i]) * inner + i] += gs[o * inner + i];
            });
        return y;
    }
}
