using EmbedRec.Tensors.Autograd;
using EmbedRec.Tensors.Memory;

namespace EmbedRec.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Batch normalization over [N, C, H, W] per channel, as PyTorch's BatchNorm2d. In training
    /// it normalizes with the batch statistics (biased variance) and updates the running mean and
    /// the running variance (unbiased) in place with <paramref name="momentum"/>; in evaluation it
    /// uses the running statistics.
    /// </summary>
    public static Tensor BatchNorm2d(Tensor x, Tensor? gamma, Tensor? beta, Tensor runningMean, Tensor runningVar,
        bool training, float momentum = 0.1f, float eps = 1e-5f)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(runningMean);
        ArgumentNullException.ThrowIfNull(runningVar);
        if (x.Rank != 4) throw new ArgumentException($"BatchNorm2d: input must be [N, C, H, W], got {x.Describe()}.");
        int n = x.Dim(0), c = x.Dim(1), hw = x.Dim(2) * x.Dim(3);
        foreach (var (t, name) in new[] { (gamma, "gamma"), (beta, "beta"), (runningMean, "running mean"), (runningVar, "running var") })
            if (t is not null && t.Size != c) throw new ArgumentException($"BatchNorm2d: {name} {t.Describe()} must have {c} elements for input {x.Describe()}.");
        int m = n * hw;
        if (training && m < 2) throw new ArgumentException($"BatchNorm2d: training needs more than one value per channel, input {x.Describe()}.");
        var stats = BufferPool.Shared.Rent(2 * c, false);
        var xs = x.Span;
        for (int ch = 0; ch < c; ch++)
        {
            float mean, var_;
            if (training)
            {
                double s = 0;
                for (int b = 0; b < n; b++) s += TensorPrimitives.Sum(xs.Slice((b * c + ch) * hw, hw));
                mean = (float)(s / m);
                double v = 0;
                for (int b = 0; b < n; b++)
                {
                    var seg = xs.Slice((b * c + ch) * hw, hw);
                    for (int j = 0; j < hw; j++) { double t = seg[j] - mean; v += t * t; }
                }
                var_ = (float)(v / m);
                runningMean.Span[ch] = (1 - momentum) * runningMean.Span[ch] + momentum * mean;
                runningVar.Span[ch] = (1 - momentum) * runningVar.Span[ch] + momentum * (float)(v / (m - 1));
            }
            else
            {
                mean = runningMean.Span[ch];
                var_ = runningVar.Span[ch];
            }
            stats[2 * ch] = mean;
            stats[2 * ch + 1] = 1f / MathF.Sqrt(var_ + eps);
        }
        var y = Tensor.Pooled(x.ShapeArray);
        var ys = y.Span;
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
            {
                float mean = stats[2 * ch], rstd = stats[2 * ch + 1];
                float gm = gamma?.Span[ch] ?? 1f, bt = beta?.Span[ch] ?? 0f;
                var src = xs.Slice((b * c + ch) * hw, hw);
                var dst = ys.Slice((b * c + ch) * hw, hw);
                for (int j = 0; j < hw; j++) dst[j] = (src[j] - mean) * rstd * gm + bt;
            }
        if (!Backprop.Tracks(x, gamma, beta)) { BufferPool.Shared.Return(stats); return y; }
        var inputs = new List<Tensor> { x };
        if (gamma is not null) inputs.Add(gamma);
        if (beta is not null) inputs.Add(beta);
        var node = Backprop.Record(y, "batch_norm2d", [.. inputs], g =>
        {
            var gs = g.Span;
            var xv = x.Span;
            var gx = Backprop.GradSpan(x);
            var gg = gamma is null ? Span<float>.Empty : Backprop.GradSpan(gamma);
            var gb = beta is null ? Span<float>.Empty : Backprop.GradSpan(beta);
            for (int ch = 0; ch < c; ch++)
            {
                float mean = stats[2 * ch], rstd = stats[2 * ch + 1];
                float gm = gamma?.Span[ch] ?? 1f;
                double sumG = 0, sumGX = 0;
                for (int b = 0; b < n; b++)
                {
                    var gseg = gs.Slice((b * c + ch) * hw, hw);
                    var xseg = xv.Slice((b * c + ch) * hw, hw);
                    for (int j = 0; j < hw; j++) { sumG += gseg[j]; sumGX += gseg[j] * (xseg[j] - mean) * rstd; }
                }
                if (!gb.IsEmpty) gb[ch] += (float)sumG;
                if (!gg.IsEmpty) gg[ch] += (float)sumGX;
                if (gx.IsEmpty) continue;
                float m1 = (float)(sumG * gm / m), m2 = (float)(sumGX * gm / m);
                for (int b = 0; b < n; b++)
                {
                    var gseg = gs.Slice((b * c + ch) * hw, hw);
                    var xseg = xv.Slice((b * c + ch) * hw, hw);
                    var dst = gx.Slice((b * c + ch) * hw, hw);
                    for (int j = 0; j < hw; j++)
                    {
                        float xhat = (xseg[j] - mean) * rstd;
                        dst[j] += training ? rstd * (gseg[j] * gm - m1 - xhat * m2) : rstd * gseg[j] * gm;
                    }
                }
            }
        });
        node.Save(stats);
        return y;
    }
}
