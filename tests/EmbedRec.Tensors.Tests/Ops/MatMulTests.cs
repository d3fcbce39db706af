using Xunit;

namespace EmbedRec.Tensors.Tests.Operations;


public class MatMulTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Gradient2D(bool ta, bool tb)
    {
        var rng = new Rng(9);
        int m = 3, k = 4, n = 5;
        var a = GradCheck.Param(rng, ta ? [k, m] : [m, k]);
        var b = GradCheck.Param(rng, tb ? [n, k] : [k, n]);
        GradCheck.Check(t => Ops.MatMul(t[0], t[1], ta, tb), [a, b]);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void GradientBatched(bool ta, bool tb)
    {
        var rng = new Rng(10);
        int bs = 2, m = 3, k = 4, n = 2;
        var a = GradCheck.Param(rng, ta ? [bs, k, m] : [bs, m, k]);
        var b = GradCheck.Param(rng, tb ? [bs, n, k] : [bs, k, n]);
        GradCheck.Check(t => Ops.MatMul(t[0], t[1], ta, tb), [a, b]);
    }

    [Fact]
    public void Gradient3DBy2D()
    {
        var rng = new Rng(12);
        var a = GradCheck.Param(rng, 2, 3, 4);
        var b = GradCheck.Param(rng, 5, 4);
        GradCheck.Check(t => Ops.MatMul(t[0], t[1], false, true), [a, b]);
    }

    [Fact]
    public void Values()
    {
        var a = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        var b = Tensor.FromArray([1, 0, 0, 1, 1, 1], 3, 2);
        Assert.Equal(new float[] { 4, 5, 10, 11 }, Ops.MatMul(a, b).ToArray());
        Assert.Equal(new float[] { 14, 32, 32, 77 }, Ops.MatMul(a, a, false, true).ToArray());
    }

    [Fact]
    public void InnerMismatchNamesShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Ops.MatMul(Tensor.Zeros(2, 3), Tensor.Zeros(4, 5)));
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("[4, 5]", ex.Message);
    }
}
