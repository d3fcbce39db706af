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
}
