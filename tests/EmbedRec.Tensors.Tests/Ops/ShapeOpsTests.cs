using Xunit;

namespace EmbedRec.Tensors.Tests.Operations;


public class ShapeOpsTests
{
    [Fact]
    public void ReshapeGradientAndInference()
    {
        var x = GradCheck.Param(new Rng(1), 2, 6);
        GradCheck.Check(t => Ops.Mul(Ops.Reshape(t[0], 3, -1), Ops.Reshape(t[0], 3, 4)), [x]);
        Assert.Equal(new[] { 4, 3 }, Ops.Reshape(x, -1, 3).Shape.ToArray());
        Assert.Throws<ArgumentException>(() => Ops.Reshape(x, 5, -1));
    }

    [Fact]
    public void PermuteAndTransposeGradients()
    {
        var x = GradCheck.Param(new Rng(2), 2, 3, 4);
        GradCheck.Check(t => Ops.Permute(t[0], 2, 0, 1), [x]);
        GradCheck.Check(t => Ops.Transpose(t[0], 0, 2), [x]);
        var m = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        Assert.Equal(new float[] { 1, 4, 2, 5, 3, 6 }, Ops.Transpose(m, 0, 1).ToArray());
    }

    [Fact]
    public void ConcatAndSliceGradients()
    {
        var rng = new Rng(3);
        var a = GradCheck.Param(rng, 2, 3);
        var b = GradCheck.Param(rng, 2, 1);
        GradCheck.Check(t => Ops.Concat([t[0], t[1]], 1), [a, b]);
        GradCheck.Check(t => Ops.Concat([t[0], t[0]], 0), [a]);
        GradCheck.Check(t => Ops.Slice(t[0], 1, 1, 2), [a]);
        var c = Ops.Concat([Tensor.FromArray([1, 2], 2, 1), Tensor.FromArray([3, 4, 5, 6], 2, 2)], 1);
        Assert.Equal(new float[] { 1, 3, 4, 2, 5, 6 }, c.ToArray());
        Assert.Equal(new float[] { 3, 5 }, Ops.Slice(c, 1, 1, 1).ToArray());
    }

    [Fact]
    public void SliceOutOfRangeIsNamed()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Slice(Tensor.Zeros(2, 3), 1, 2, 2));
        Assert.Contains("[2, 4)", ex.Message);
    }
}
