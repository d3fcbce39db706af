using EmbedRec.Tensors.Autograd;
using EmbedRec.Tensors.Memory;

namespace EmbedRec.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Fused layer normalization over the last axis: (x − μ)/√(σ² + ε)·γ + β, with biased variance
    /// as in PyTorch. <paramref name="gamma"/> and <paramref name="beta"/> are [D] or null.
    /// </summary>
    public static Tensor LayerNorm(Tensor x, Tensor? gamma, Tensor? beta, float eps = 1e-5f)
    {
        ArgumentNullException.ThrowIfNull(x);
        int d = x.Dim(-1), rows = x.Size / Math.Max(1, d);
        if (gamma is not null && gamma.Size != d) throw new ArgumentException($"LayerNorm: gamma {gamma.Describe()} does not match the last dimension {d} of {x.Describe()}.");
        if (beta is not null && beta.Size != d) throw new ArgumentException($"LayerNorm: beta {beta.Describe()} does not match the last dimension {d} of {x.Describe()}.");
        var pool = BufferPool.Shared;
        var stats = pool.RentAtLeast(2 * rows, false); // mean, rstd
        var y = Tensor.Pooled(x.ShapeArray);
        var xs = x.Span;
        var ys = y.Span;
        for (int r = 0; r < rows; r++)
        {
            var xr = xs.Slice(r * d, d);
            float mean = TensorPrimitives.Sum(xr) / d;
            double v = 0;
            for (int j = 0; j < d; j++) { float t = xr[j] - mean; v += t * t; }
            float rstd = 1f / MathF.Sqrt((float)(v / d) + eps);
            stats[2 * r] = mean; stats[2 * r + 1] = rstd;
            var yr = ys.Slice(r * d, d);
            for (int j = 0; j < d; j++) yr[j] = (xr[j] - mean) * rstd;
            if (gamma is not null) TensorPrimitives.Multiply(yr, gamma.Span, yr);
            if (beta is not null) TensorPrimitives.Add(yr, beta.Span, yr);
        }
        if (!Backprop.Tracks(x, gamma, beta)) { pool.Return(stats); return y; }
        var inputs = new List<Tensor> { x };
        if (gamma is not null) inputs.Add(gamma);
        if (beta is not null) inputs.Add(beta);
        var node = Backprop.Record(y, "layer_norm", [.. inputs], g =>
        {
            var gs = g.Span;
            var xv = x.Span;
            var gx = Backprop.GradSpan(x);
            var gg = gamma is null ? Span<float>.Empty : Backprop.GradSpan(gamma);
            var gb = beta is null ? Span<float>.Empty : Backprop.GradSpan(beta);
            var gam = gamma is null ? ReadOnlySpan<float>.Empty : gamma.Span;
            var buf = pool.Rent(2 * d, false);
            var xhat = buf.AsSpan(0, d);
            var dxhat = buf.AsSpan(d, d);
            for (int r = 0; r < rows; r++)
            {
                float mean = stats[2 * r], rstd = stats[2 * r + 1];
                var gr = gs.Slice(r * d, d);
                var xr = xv.Slice(r * d, d);
                for (int j = 0; j < d; j++) xhat[j] = (xr[j] - mean) * rstd;
                if (!gb.IsEmpty) TensorPrimitives.Add(gb, gr, gb);
                if (!gg.IsEmpty) TensorPrimitives.MultiplyAdd(gr, xhat, gg, gg);
                if (gx.IsEmpty) continue;
                if (gamma is not null) TensorPrimitives.Multiply(gr, gam, dxhat); else gr.CopyTo(dxhat);
                float m1 = TensorPrimitives.Sum(dxhat) / d;
                float m2 = TensorPrimitives.Dot(dxhat, xhat) / d;
                var dst = gx.Slice(r * d, d);
                for (int j = 0; j < d; j++) dst[j] += rstd * (dxhat[j] - m1 - xhat[j] * m2);
            }
            pool.Return(buf);
        });
        node.Save(stats);
        return y;
    }

    /// <summary>Rows scaled to unit L2 norm over the last axis: x / max(‖x‖, ε) (PyTorch's F.normalize).</summary>
    public static Tensor L2Normalize(Tensor x, float eps = 1e-12f)
    {
        ArgumentNullException.ThrowIfNull(x);
        int d = x.Dim(-1), rows = x.Size / Math.Max(1, d);
        var norms = BufferPool.Shared.RentAtLeast(rows, false);
        var y = Tensor.Pooled(x.ShapeArray);
        var xs = x.Span;
        var ys = y.Span;
        for (int r = 0; r < rows; r++)
        {
            float nr = MathF.Max(TensorPrimitives.Norm(xs.Slice(r * d, d)), eps);
            norms[r] = nr;
            TensorPrimitives.Divide(xs.Slice(r * d, d), nr, ys.Slice(r * d, d));
        }
        if (!Backprop.Tracks(x)) { BufferPool.Shared.Return(norms); return y; }
        var node = Backprop.Record(y, "l2_normalize", [x], g =>
        {
            var gx = Backprop.GradSpan(x);
            var gs = g.Span;
            var yv = y.Span;
            var xv = x.Span;
            for (int r = 0; r < rows; r++)
            {
                var gr = gs.Slice(r * d, d);
                var dst = gx.Slice(r * d, d);
                float nr = norms[r];
                bool clamped = TensorPrimitives.Norm(xv.Slice(r * d, d)) < eps;
                if (clamped) { TensorPrimitives.MultiplyAdd(gr, 1f / nr, dst, dst); continue; }
                var yr = yv.Slice(r * d, d);
                float dot = TensorPrimitives.Dot(gr, yr);
                for (int j = 0; j < d; j++) dst[j] += (gr[j] - yr[j] * dot) / nr;
            }
        });
        node.Save(norms);
        return y;
    }

    /// <summary>
    /// Inverted dropout: zeroes each element with probability <paramref name="p"/> and scales the
    /// rest by 1/(1−p) while <paramref name="training"/>; the identity otherwise.
    /// </summary>
    public static Tensor Dropout(Tensor x, float p, Rng rng, bool training = true)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(rng);
        if (p < 0f || p >= 1f) throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout probability must be in [0, 1).");
        if (!training || p == 0f) return x;
        var buffer = BufferPool.Shared.RentAtLeast(x.Size, false);
        var mask = buffer.AsSpan(0, x.Size);
        float keep = 1f / (1f - p);
        rng.FillDropoutMask(mask, p, keep);
        var y = Tensor.Pooled(x.ShapeArray);
        TensorPrimitives.Multiply(x.Span, mask, y.Span);
        if (!Backprop.Tracks(x)) { BufferPool.Shared.Return(buffer); return y; }
        int n = x.Size;
        var node = Backprop.Record(y, "dropout", [x], g =>
        {
            var gx = Backprop.GradSpan(x);
            TensorPrimitives.MultiplyAdd(g.Span, buffer.AsSpan(0, n), gx, gx);
        });
        node.Save(buffer);
        return y;
    }
}
