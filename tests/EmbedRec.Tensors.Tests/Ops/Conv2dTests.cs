using Xunit;

namespace EmbedRec.Tensors.Tests.Operations;


public class Conv2dTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    public void Gradient(int stride, int pad)
    {
        var rng = new Rng(14);
        var x = GradCheck.Param(rng, 2, 2, 5, 4);
        var w = GradCheck.Param(rng, 3, 2, 3, 3);
        var b = GradCheck.Param(rng, 3);
        GradCheck.Check(t => Ops.Conv2d(t[0], t[1], t[2], stride, stride, pad, pad), [x, w, b]);
    }

    [Fact]
    public void ValuesOfA1x1AndA2x2Kernel()
    {
        var x = Tensor.FromArray([1, 2, 3, 4, 5, 6, 7, 8, 9], 1, 1, 3, 3);
        var w = Tensor.FromArray([1, 0, 0, 1], 1, 1, 2, 2);
        var y = Ops.Conv2d(x, w, null);
        Assert.Equal(new[] { 1, 1, 2, 2 }, y.Shape.ToArray());
        Assert.Equal(new float[] { 6, 8, 12, 14 }, y.ToArray());
        var ex = Assert.Throws<ArgumentException>(() => Ops.Conv2d(x, Tensor.Zeros(1, 2, 1, 1), null));
        Assert.Contains("[1, 2, 1, 1]", ex.Message);
    }

    [Theory]
    [InlineData(3, 1, 1, 1)]
    [InlineData(3, 2, 1, 1)]
    [InlineData(3, 1, 2, 0)]
    [InlineData(1, 1, 1, 0)]
    [InlineData(1, 2, 2, 0)]
    public void ManyImagesMatchADirectConvolution(int kernel, int strideH, int strideW, int pad)
    {
        var rng = new Rng(21);
        int n = 19, c = 3, h = 5, w = 7, o = 4; // 19 images: eight groups of two or three
        var x = Tensor.RandomNormal(rng, [n, c, h, w]);
        var wt = Tensor.RandomNormal(rng, [o, c, kernel, kernel]);
        var b = Tensor.RandomNormal(rng, [o]);
        var y = Ops.Conv2d(x, wt, b, strideH, strideW, pad, pad);
        int ho = (h + 2 * pad - kernel) / strideH + 1, wo = (w + 2 * pad - kernel) / strideW + 1;
        Assert.Equal(new[] { n, o, ho, wo }, y.Shape.ToArray());
        var xs = x.ToArray();
        var ws = wt.ToArray();
        var ys = y.ToArray();
        for (int i = 0; i < n; i++)
            for (int oc = 0; oc < o; oc++)
                for (int oh = 0; oh < ho; oh++)
                    for (int ow = 0; ow < wo; ow++)
                    {
                        double sum = b.ToArray()[oc];
                        for (int ch = 0; ch < c; ch++)
                            for (int ki = 0; ki < kernel; ki++)
                                for (int kj = 0; kj < kernel; kj++)
                                {
                                    int ih = oh * strideH - pad + ki, iw = ow * strideW - pad + kj;
                                    if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                                    sum += (double)xs[((i * c + ch) * h + ih) * w + iw] * ws[((oc * c + ch) * kernel + ki) * kernel + kj];
                                }
                        Assert.True(Math.Abs(sum - ys[((i * o + oc) * ho + oh) * wo + ow]) < 1e-4, $"image {i}, channel {oc}, ({oh}, {ow})");
                    }
        var gx = GradCheck.Param(rng, 11, 2, 4, 5);
        var gw = GradCheck.Param(rng, 3, 2, kernel, kernel);
        var gb = GradCheck.Param(rng, 3);
        GradCheck.Check(t => Ops.Conv2d(t[0], t[1], t[2], strideH, strideW, pad, pad), [gx, gw, gb]);
    }

    [Fact]
    public void ResultsDoNotDependOnTheThreadCount()
    {
        var rng = new Rng(5);
        var x0 = Tensor.RandomNormal(rng, [32, 8, 6, 16]);
        var w0 = Tensor.RandomNormal(rng, [16, 8, 3, 3]);
        var b0 = Tensor.RandomNormal(rng, [16]);
        float[] Run(int threads)
        {
            Ops.Conv2dThreads = threads;
            try
            {
                var x = x0.Detach();
                var wt = w0.Detach();
                var b = b0.Detach();
                x.RequiresGrad = wt.RequiresGrad = b.RequiresGrad = true;
                var y = Ops.Conv2d(x, wt, b, 2, 1, 1, 1).Retain();
                Ops.Sum(Ops.Mul(y, y)).Backward();
                return [.. y.ToArray(), .. x.Grad!.ToArray(), .. wt.Grad!.ToArray(), .. b.Grad!.ToArray()];
            }
            finally { Ops.Conv2dThreads = null; }
        }
        var one = Run(1);
        Assert.Equal(one, Run(2));
        Assert.Equal(one, Run(3));
    }

    [Fact]
    public void ABatchOfLargeImagesGivesTheSameResultsAsOneImageAtATime()
    {
        // Sixteen large images (16 × 3 × 3 × 64 × 64 columns each) over eight groups: the batch equals the images one at a time.
        var rng = new Rng(8);
        var x0 = Tensor.RandomNormal(rng, [16, 16, 64, 64]);
        var w0 = Tensor.RandomNormal(rng, [4, 16, 3, 3]);
        var ys = new List<float[]>();
        var gws = new float[w0.Size];
        var gxs = new List<float[]>();
        for (int i = 0; i < 16; i++)
        {
            var xi = Tensor.FromArray(x0.Span.Slice(i * 16 * 64 * 64, 16 * 64 * 64).ToArray(), 1, 16, 64, 64);
            var wi = w0.Detach();
            xi.RequiresGrad = wi.RequiresGrad = true;
            var yi = Ops.Conv2d(xi, wi, null, 1, 1, 1, 1).Retain();
            Ops.Sum(Ops.Mul(yi, yi)).Backward();
            ys.Add(yi.ToArray());
            gxs.Add(xi.Grad!.ToArray());
            for (int k = 0; k < gws.Length; k++) gws[k] += wi.Grad!.Span[k];
        }
        var x = x0.Detach();
        var w = w0.Detach();
        x.RequiresGrad = w.RequiresGrad = true;
        var y = Ops.Conv2d(x, w, null, 1, 1, 1, 1).Retain();
        Ops.Sum(Ops.Mul(y, y)).Backward();
        Assert.Equal(ys.SelectMany(v => v).ToArray(), y.ToArray());
        Assert.Equal(gxs.SelectMany(v => v).ToArray(), x.Grad!.ToArray());
        GradCheck.Close(gws, w.Grad!.ToArray(), 1e-4f, 1e-4f);
    }
}
