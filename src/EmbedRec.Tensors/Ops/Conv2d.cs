using EmbedRec.Tensors.Autograd;
using EmbedRec.Tensors.Kernels;
using EmbedRec.Tensors.Memory;

namespace EmbedRec.Tensors;

public static partial class Ops
{
    private const int Im2ColBudget = 1 << 22; // floats per im2col chunk (16 MiB)

    /// <summary>
    /// 2-D convolution (cross-correlation, as in PyTorch) by im2col + GEMM.
    /// x [N, C, H, W], weight [O, C, kh, kw], bias [O] or null → [N, O, Ho, Wo] with
    /// Ho = (H + 2·padH − kh)/strideH + 1. Images are processed in chunks so the column buffer
    /// stays under 16 MiB; the backward pass recomputes columns instead of keeping them.
    /// </summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, int strideH = 1, int strideW = 1, int padH = 0, int padW = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weight);
        if (x.Rank != 4) throw new ArgumentException($"Conv2d: input must be [N, C, H, W], got {x.Describe()}.");
        if (weight.Rank != 4 || weight.Dim(1) != x.Dim(1))
            throw new ArgumentException($"Conv2d: weight {weight.Describe()} must be [O, {x.Dim(1)}, kh, kw] for input {x.Describe()}.");
        if (strideH < 1 || strideW < 1 || padH < 0 || padW < 0)
            throw new ArgumentException($"Conv2d: stride ({strideH}, {strideW}) must be positive and padding ({padH}, {padW}) non-negative.");
        int n = x.Dim(0), c = x.Dim(1), h = x.Dim(2), w = x.Dim(3);
        int o = weight.Dim(0), kh = weight.Dim(2), kw = weight.Dim(3);
        if (bias is not null && bias.Size != o) throw new ArgumentException($"Conv2d: bias {bias.Describe()} must have {o} elements.");
        int ho = (h + 2 * padH - kh) / strideH + 1, wo = (w + 2 * padW - kw) / strideW + 1;
        if (ho <= 0 || wo <= 0) throw new ArgumentException($"Conv2d: kernel {kh}×{kw} does not fit input {x.Describe()} with padding ({padH}, {padW}).");
        var geo = new ConvGeometry(c, h, w, kh, kw, strideH, strideW, padH, padW, ho, wo);
        int ck = c * kh * kw, hw = ho * wo;
        int chunk = Math.Max(1, Math.Min(n, Im2ColBudget / Math.Max(1, ck * hw)));
        var y = Tensor.Pooled([n, o, ho, wo]);
        var pool = BufferPool.Shared;
        var cols = pool.Rent(ck * chunk * hw, false);
        var outBuf = pool.Rent(o * chunk * hw, false);
        var xs = x.Data;
        var ys = y.Data;
        for (int n0 = 0; n0 < n; n0 += chunk)
        {
            int nb = Math.Min(chunk, n - n0), l = nb * hw;
            Im2Col(xs, n0, nb, geo, cols.AsSpan(0, ck * l));
            Blas.Current.Sgemm(false, false, o, l, ck, 1f, weight.Span, ck, cols.AsSpan(0, ck * l), l, 0f, outBuf.AsSpan(0, o * l), l);
            for (int b = 0; b < nb; b++)
                for (int oc = 0; oc < o; oc++)
                {
                    var dst = ys.AsSpan(((n0 + b) * o + oc) * hw, hw);
                    outBuf.AsSpan(oc * l + b * hw, hw).CopyTo(dst);
                    if (bias is not null) TensorPrimitives.Add(dst, bias.Span[oc], dst);
                }
        }
        pool.Return(cols);
        pool.Return(outBuf);
        if (!Backprop.Tracks(x, weight, bias)) return y;
        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        Backprop.Record(y, "conv2d", inputs, g =>
        {
            var gcols = pool.Rent(ck * chunk * hw, false);
            var colsB = pool.Rent(ck * chunk * hw, false);
            var gOut = pool.Rent(o * chunk * hw, false);
            var gs = g.Data;
            var gw = weight.RequiresGrad ? Backprop.GradSpan(weight) : Span<float>.Empty;
            var gb = bias is not null && bias.RequiresGrad ? Backprop.GradSpan(bias) : Span<float>.Empty;
            float[]? gx = null;
            if (x.RequiresGrad) { Backprop.GradSpan(x); gx = x.Grad!.Data; }
            for (int n0 = 0; n0 < n; n0 += chunk)
            {
                int nb = Math.Min(chunk, n - n0), l = nb * hw;
                for (int b = 0; b < nb; b++)
                    for (int oc = 0; oc < o; oc++)
                        gs.AsSpan(((n0 + b) * o + oc) * hw, hw).CopyTo(gOut.AsSpan(oc * l + b * hw, hw));
                if (!gb.IsEmpty)
                    for (int oc = 0; oc < o; oc++) gb[oc] += TensorPrimitives.Sum(gOut.AsSpan(oc * l, l));
                if (!gw.IsEmpty)
                {
                    Im2Col(x.Data, n0, nb, geo, colsB.AsSpan(0, ck * l));
                    Blas.Current.Sgemm(false, true, o, ck, l, 1f, gOut.AsSpan(0, o * l), l, colsB.AsSpan(0, ck * l), l, 1f, gw, ck);
                }
                if (gx is not null)
                {
                    Blas.Current.Sgemm(true, false, ck, l, o, 1f, weight.Span, ck, gOut.AsSpan(0, o * l), l, 0f, gcols.AsSpan(0, ck * l), l);
                    Col2ImAccumulate(gcols.AsSpan(0, ck * l), n0, nb, geo, gx);
                }
            }
            pool.Return(gcols); pool.Return(colsB); pool.Return(gOut);
        });
        return y;
    }

    private readonly record struct ConvGeometry(int C, int H, int W, int Kh, int Kw, int Sh, int Sw, int Ph, int Pw, int Ho, int Wo);

    private static void Im2Col(float[] x, int n0, int nb, ConvGeometry g, Span<float> cols)
    {
        int hw = g.Ho * g.Wo, l = nb * hw;
        for (int ch = 0; ch < g.C; ch++)
            for (int ki = 0; ki < g.Kh; ki++)
                for (int kj = 0; kj < g.Kw; kj++)
                {
                    var row = cols.Slice(((ch * g.Kh + ki) * g.Kw + kj) * l, l);
                    for (int b = 0; b < nb; b++)
                    {
                        int img = ((n0 + b) * g.C + ch) * g.H * g.W;
                        for (int oh = 0; oh < g.Ho; oh++)
                        {
                            int ih = oh * g.Sh - g.Ph + ki;
                            int baseCol = b * hw + oh * g.Wo;
                            if ((uint)ih >= (uint)g.H) { row.Slice(baseCol, g.Wo).Clear(); continue; }
                            for (int ow = 0; ow < g.Wo; ow++)
                            {
                                int iw = ow * g.Sw - g.Pw + kj;
                                row[baseCol + ow] = (uint)iw < (uint)g.W ? x[img + ih * g.W + iw] : 0f;
                            }
                        }
                    }
                }
    }

    private static void Col2ImAccumulate(ReadOnlySpan<float> cols, int n0, int nb, ConvGeometry g, float[] gx)
    {
        int hw = g.Ho * g.Wo, l = nb * hw;
        for (int ch = 0; ch < g.C; ch++)
            for (int ki = 0; ki < g.Kh; ki++)
                for (int kj = 0; kj < g.Kw; kj++)
                {
                    var row = cols.Slice(((ch * g.Kh + ki) * g.Kw + kj) * l, l);
                    for (int b = 0; b < nb; b++)
                    {
                        int img = ((n0 + b) * g.C + ch) * g.H * g.W;
                        for (int oh = 0; oh < g.Ho; oh++)
                        {
                            int ih = oh * g.Sh - g.Ph + ki;
                            if ((uint)ih >= (uint)g.H) continue;
                            int baseCol = b * hw + oh * g.Wo;
                            for (int ow = 0; ow < g.Wo; ow++)
                            {
                                int iw = ow * g.Sw - g.Pw + kj;
                                if ((uint)iw < (uint)g.W) gx[img + ih * g.W + iw] += row[baseCol + ow];
                            }
                        }
                    }
                }
    }
}
