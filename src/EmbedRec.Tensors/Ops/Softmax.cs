using EmbedRec.Tensors.Autograd;

namespace EmbedRec.Tensors;

public static partial class Ops
{
    /// <summary>Softmax over the last axis. A row that is entirely −∞ gives zeros.</summary>
    public static Tensor Softmax(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        int d = x.Dim(-1), rows = x.Size / Math.Max(1, d);
        var y = Tensor.Pooled(x.ShapeArray);
        var xs = x.Span;
        var ys = y.Span;
        for (int r = 0; r < rows; r++) SoftmaxRow(xs.Slice(r * d, d), ys.Slice(r * d, d));
        if (Backprop.Tracks(x))
            Backprop.Record(y, "softmax", [x], g =>
            {
                var gx = Backprop.GradSpan(x);
                var gs = g.Span;
                var yv = y.Span;
                for (int r = 0; r < rows; r++)
                {
                    var yr = yv.Slice(r * d, d);
                    var gr = gs.Slice(r * d, d);
                    float dot = TensorPrimitives.Dot(gr, yr);
                    var dst = gx.Slice(r * d, d);
                    for (int j = 0; j < d; j++) dst[j] += yr[j] * (gr[j] - dot);
                }
            });
        return y;
    }

    /// <summary>Log-softmax over the last axis.</summary>
    public static Tensor LogSoftmax(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        int d = x.Dim(-1), rows = x.Size / Math.Max(1, d);
        var y = Tensor.Pooled(x.ShapeArray);
        var xs = x.Span;
        var ys = y.Span;
        for (int r = 0; r < rows; r++)
        {
            var xr = xs.Slice(r * d, d);
            float lse = LogSumExp(xr);
            TensorPrimitives.Subtract(xr, lse, ys.Slice(r * d, d));
        }
        if (Backprop.Tracks(x))
            Backprop.Record(y, "log_softmax", [x], g =>
            {
                var gx = Backprop.GradSpan(x);
                var gs = g.Span;
                var yv = y.Span;
                for (int r = 0; r < rows; r++)
                {
                    var gr = gs.Slice(r * d, d);
                    float sum = TensorPrimitives.Sum(gr);
                    var yr = yv.Slice(r * d, d);
                    var dst = gx.Slice(r * d, d);
                    for (int j = 0; j < d; j++) dst[j] += gr[j] - MathF.Exp(yr[j]) * sum;
                }
            });
        return y;
    }

    internal static float LogSumExp(ReadOnlySpan<float> x)
    {
        float max = TensorPrimitives.Max(x);
        if (float.IsNegativeInfinity(max)) return max;
        double s = 0;
        for (int j = 0; j < x.Length; j++) s += MathF.Exp(x[j] - max);
        return max + (float)Math.Log(s);
    }

    internal static void SoftmaxRow(ReadOnlySpan<float> x, Span<float> y)
    {
        float max = TensorPrimitives.Max(x);
        if (float.IsNegativeInfinity(max)) { y.Clear(); return; }
        TensorPrimitives.Subtract(x, max, y);
        TensorPrimitives.Exp(y, y);
        float s = TensorPrimitives.Sum(y);
        TensorPrimitives.Divide(y, s, y);
    }
}
