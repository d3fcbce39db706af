using Xunit;

namespace EmbedRec.Tensors.Tests.Operations;

public class RowDotTests
{
    [Fact]
    public void GradientAndValue()
    {
        var rng = new Rng(21);
        var a = GradCheck.Param(rng, 2, 3, 4);
        var b = GradCheck.Param(rng, 2, 3, 4);
        GradCheck.Check(t => Ops.RowDot(t[0], t[1]), [a, b]);
        var y = Ops.RowDot(Tensor.FromArray([1, 2, 3, 4], 2, 2), Tensor.FromArray([5, 6, 7, 8], 2, 2));
        Assert.Equal(new float[] { 17, 53 }, y.ToArray());
        Assert.Equal(new[] { 2 }, y.Shape.ToArray());
        Assert.Throws<ArgumentException>(() => Ops.RowDot(Tensor.Zeros(2, 2), Tensor.Zeros(2, 3)));
    }
}
