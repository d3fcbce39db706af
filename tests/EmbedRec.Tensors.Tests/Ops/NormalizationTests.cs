using Xunit;

namespace EmbedRec.Tensors.Tests.Operations;


public class NormalizationTests
{
    [Fact]
    public void LayerNormGradient()
    {
        var rng = new Rng(10);
        var x = GradCheck.Param(rng, 3, 6);
        var g = GradCheck.ParamUniform(rng, 0.5f, 1.5f, 6);
        var b = GradCheck.Param(rng, 6);
        GradCheck.Check(t => Ops.LayerNorm(t[0], t[1], t[2]), [x, g, b]);
        GradCheck.Check(t => Ops.LayerNorm(t[0], null, null), [x]);
    }

    [Fact]
    public void L2NormalizeGradientAndValue()
    {
        var x = GradCheck.Param(new Rng(11), 4, 3);
        GradCheck.Check(t => Ops.L2Normalize(t[0]), [x]);
        GradCheck.Close([0.6f, 0.8f, 0f, 0f], Ops.L2Normalize(Tensor.FromArray([3, 4, 0, 0], 2, 2)).ToArray());
    }

    [Fact]
    public void DropoutIsSeededAndGradientMatchesMask()
    {
        var x = GradCheck.Param(new Rng(12), 10, 10);
        var y1 = Ops.Dropout(x, 0.3f, new Rng(5));
        var y2 = Ops.Dropout(x, 0.3f, new Rng(5));
        Assert.Equal(y1.ToArray(), y2.ToArray());
        int zeros = y1.ToArray().Count(v => v == 0f);
        Assert.InRange(zeros, 15, 45);
        GradCheck.Check(t => Ops.Dropout(t[0], 0.3f, new Rng(5)), [x]);
        Assert.Same(x, Ops.Dropout(x, 0.3f, new Rng(5), training: false));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Dropout(x, 1f, new Rng(1)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BatchNorm2dGradient(bool training)
    {
        var rng = new Rng(13);
        var x = GradCheck.Param(rng, 2, 3, 2, 2);
        var g = GradCheck.ParamUniform(rng, 0.5f, 1.5f, 3);
        var b = GradCheck.Param(rng, 3);
        var rm = Tensor.FromArray([0.1f, -0.2f, 0.3f], 3);
        var rv = Tensor.FromArray([1.5f, 0.7f, 1.1f], 3);
        GradCheck.Check(t => Ops.BatchNorm2d(t[0], t[1], t[2], rm.Detach(), rv.Detach(), training), [x, g, b]);
    }
}
