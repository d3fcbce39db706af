using EmbedRec.Tensors.Autograd;
using EmbedRec.Tensors.Kernels;
using EmbedRec.Tensors.Memory;

namespace EmbedRec.Tensors;

public static partial class Ops
{
    /// <summary>Images are split into at most this many fixed groups; each group's weight gradient is summed on its own and
    /// the groups are added in order, so the result does not depend on how many threads run them.</summary>
    private const int ConvGroups = 8;

    /// <summary>Threads of <see cref="Conv2d"/> (tests compare thread counts); null is <see cref="Blas.ThreadCount"/>.</summary>
    internal static int? Conv2dThreads { get; set; }

    /// <summary>
    /// 2-D convolution (cross-correlation, as in PyTorch) by im2col + GEMM, one image at a time.
    /// x [N, C, H, W], weight [O, C, kh, kw], bias [O] or null → [N, O, Ho, Wo] with
    /// Ho = (H + 2·padH − kh)/strideH + 1. Per image, y[n] = W [O, C·kh·kw] · cols [C·kh·kw, Ho·Wo] lands in its place
    /// without a permutation; the images are cut into at most 8 fixed groups that run in parallel, each with a
    /// single-threaded GEMM and its own column buffer (a 1×1 stride-1 convolution needs none: the image is its columns).
    /// The backward pass recomputes columns instead of keeping them and sums the weight gradient per group, then over the
    /// groups in order, so results do not depend on the thread count.
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
        int ck = c * kh * kw, hw = ho * wo, inSize = c * h * w, outSize = o * hw;
        var y = Tensor.Pooled([n, o, ho, wo]);
        var xs = x.Data;
        var ys = y.Data;
        var blas = Blas.SingleThreaded;
        ForEachConvGroup(n, (_, first, count) =>
        {
            var cols = geo.Identity ? null : BufferPool.Shared.Rent(ck * hw, false);
            for (int b = first; b < first + count; b++)
            {
                ReadOnlySpan<float> colSpan = cols is null ? xs.AsSpan(b * inSize, inSize) : Im2Col(xs.AsSpan(b * inSize, inSize), geo, cols);
                var dst = ys.AsSpan(b * outSize, outSize);
                blas.Sgemm(false, false, o, hw, ck, 1f, weight.Span, ck, colSpan, hw, 0f, dst, hw);
                if (bias is not null)
                    for (int oc = 0; oc < o; oc++) TensorPrimitives.Add(dst.Slice(oc * hw, hw), bias.Span[oc], dst.Slice(oc * hw, hw));
            }
            if (cols is not null) BufferPool.Shared.Return(cols);
        });
        if (!Backprop.Tracks(x, weight, bias)) return y;
        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        Backprop.Record(y, "conv2d", inputs, g =>
        {
            var gs = g.Data;
            bool wantW = weight.RequiresGrad, wantB = bias is not null && bias.RequiresGrad;
            float[]? gx = null;
            if (x.RequiresGrad) { Backprop.GradSpan(x); gx = x.Grad!.Data; }
            int groups = Math.Min(n, ConvGroups);
            // Per group: its weight gradient [O, ck] then its bias gradient [O].
            int partial = (wantW ? o * ck : 0) + (wantB ? o : 0);
            var partials = partial > 0 ? BufferPool.Shared.Rent(groups * partial, true) : null;
            ForEachConvGroup(n, (group, first, count) =>
            {
                var gw = wantW ? partials.AsSpan(group * partial, o * ck) : Span<float>.Empty;
                var gb = wantB ? partials.AsSpan(group * partial + (wantW ? o * ck : 0), o) : Span<float>.Empty;
                bool needCols = wantW && !geo.Identity, needGCols = gx is not null && !geo.Identity;
                var cols = needCols ? BufferPool.Shared.Rent(ck * hw, false) : null;
                var gcols = needGCols ? BufferPool.Shared.Rent(ck * hw, false) : null;
                for (int b = first; b < first + count; b++)
                {
                    var gOut = gs.AsSpan(b * outSize, outSize);
                    if (!gb.IsEmpty)
                        for (int oc = 0; oc < o; oc++) gb[oc] += TensorPrimitives.Sum(gOut.Slice(oc * hw, hw));
                    if (!gw.IsEmpty)
                    {
                        ReadOnlySpan<float> colSpan = cols is null ? x.Data.AsSpan(b * inSize, inSize) : Im2Col(x.Data.AsSpan(b * inSize, inSize), geo, cols);
                        blas.Sgemm(false, true, o, ck, hw, 1f, gOut, hw, colSpan, hw, 1f, gw, ck);
                    }
                    if (gx is not null)
                    {
                        var gxImage = gx.AsSpan(b * inSize, inSize);
                        if (gcols is null) blas.Sgemm(true, false, ck, hw, o, 1f, weight.Span, ck, gOut, hw, 1f, gxImage, hw);
                        else
                        {
                            blas.Sgemm(true, false, ck, hw, o, 1f, weight.Span, ck, gOut, hw, 0f, gcols.AsSpan(0, ck * hw), hw);
                            Col2ImAccumulate(gcols.AsSpan(0, ck * hw), geo, gxImage);
                        }
                    }
                }
                if (cols is not null) BufferPool.Shared.Return(cols);
                if (gcols is not null) BufferPool.Shared.Return(gcols);
            });
            if (partials is not null)
            {
                if (wantW)
                {
                    var gw = Backprop.GradSpan(weight);
                    for (int k = 0; k < groups; k++) TensorPrimitives.Add(gw, partials.AsSpan(k * partial, o * ck), gw);
                }
                if (wantB)
                {
                    var gb = Backprop.GradSpan(bias!);
                    for (int k = 0; k < groups; k++) TensorPrimitives.Add(gb, partials.AsSpan(k * partial + (wantW ? o * ck : 0), o), gb);
                }
                BufferPool.Shared.Return(partials);
            }
        });
        return y;
    }

    /// <summary>Runs <paramref name="body"/>(group, first image, count) for each of the min(n, 8) fixed groups of images, in parallel.</summary>
    private static void ForEachConvGroup(int n, Action<int, int, int> body)
    {
        int groups = Math.Min(n, ConvGroups);
        int threads = Math.Min(groups, Conv2dThreads ?? Blas.ThreadCount);
        void Group(int k)
        {
            int first = GroupStart(k, n, groups);
            body(k, first, GroupStart(k + 1, n, groups) - first);
        }
        if (threads <= 1) for (int k = 0; k < groups; k++) Group(k);
        else Parallel.For(0, groups, new ParallelOptions { MaxDegreeOfParallelism = threads }, Group);
    }

    private static int GroupStart(int k, int n, int groups) => (int)((long)k * n / groups);

    private readonly record struct ConvGeometry(int C, int H, int W, int Kh, int Kw, int Sh, int Sw, int Ph, int Pw, int Ho, int Wo)
    {
        /// <summary>A 1×1 stride-1 convolution without padding: the image is its own column matrix.</summary>
        public bool Identity => Kh == 1 && Kw == 1 && Sh == 1 && Sw == 1 && Ph == 0 && Pw == 0;
    }

    /// <summary>One image [C, H, W] → its columns [C·kh·kw, Ho·Wo] in <paramref name="buffer"/>.</summary>
    private static ReadOnlySpan<float> Im2Col(ReadOnlySpan<float> image, ConvGeometry g, float[] buffer)
    {
        int hw = g.Ho * g.Wo;
        var cols = buffer.AsSpan(0, g.C * g.Kh * g.Kw * hw);
        for (int ch = 0; ch < g.C; ch++)
            for (int ki = 0; ki < g.Kh; ki++)
                for (int kj = 0; kj < g.Kw; kj++)
                {
                    var row = cols.Slice(((ch * g.Kh + ki) * g.Kw + kj) * hw, hw);
                    // Output columns whose input column iw = ow·Sw − Pw + kj lies inside [0, W).
                    int lo = ValidFrom(g.Pw - kj, g.Sw), hi = Math.Min(g.Wo, ValidFrom(g.W + g.Pw - kj, g.Sw));
                    for (int oh = 0; oh < g.Ho; oh++)
                    {
                        int ih = oh * g.Sh - g.Ph + ki;
                        var dst = row.Slice(oh * g.Wo, g.Wo);
                        if ((uint)ih >= (uint)g.H || lo >= hi) { dst.Clear(); continue; }
                        var src = image.Slice((ch * g.H + ih) * g.W, g.W);
                        dst[..lo].Clear();
                        if (g.Sw == 1) src.Slice(lo - g.Pw + kj, hi - lo).CopyTo(dst[lo..hi]);
                        else for (int ow = lo; ow < hi; ow++) dst[ow] = src[ow * g.Sw - g.Pw + kj];
                        dst[hi..].Clear();
                    }
                }
        return cols;
    }

    /// <summary>Adds the column gradients [C·kh·kw, Ho·Wo] of one image back onto its input gradient [C, H, W].</summary>
    private static void Col2ImAccumulate(ReadOnlySpan<float> cols, ConvGeometry g, Span<float> gx)
    {
        int hw = g.Ho * g.Wo;
        for (int ch = 0; ch < g.C; ch++)
            for (int ki = 0; ki < g.Kh; ki++)
                for (int kj = 0; kj < g.Kw; kj++)
                {
                    var row = cols.Slice(((ch * g.Kh + ki) * g.Kw + kj) * hw, hw);
                    int lo = ValidFrom(g.Pw - kj, g.Sw), hi = Math.Min(g.Wo, ValidFrom(g.W + g.Pw - kj, g.Sw));
                    if (lo >= hi) continue;
                    for (int oh = 0; oh < g.Ho; oh++)
                    {
                        int ih = oh * g.Sh - g.Ph + ki;
                        if ((uint)ih >= (uint)g.H) continue;
                        var src = row.Slice(oh * g.Wo, g.Wo);
                        var dst = gx.Slice((ch * g.H + ih) * g.W, g.W);
                        if (g.Sw == 1)
                        {
                            var d = dst.Slice(lo - g.Pw + kj, hi - lo);
                            TensorPrimitives.Add(d, src[lo..hi], d);
                        }
                        else for (int ow = lo; ow < hi; ow++) dst[ow * g.Sw - g.Pw + kj] += src[ow];
                    }
                }
    }

    /// <summary>The smallest ow ≥ 0 with ow·stride ≥ bound (bound may be negative).</summary>
    private static int ValidFrom(int bound, int stride) => bound <= 0 ? 0 : (bound + stride - 1) / stride;
}
