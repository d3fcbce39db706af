using Xunit;

namespace EmbedRec.Tensors.Tests.Operations;


public class ReductionTests
{
    [Fact]
    public void SumMeanAllGradients()
    {
        var x = GradCheck.Param(new Rng(2), 3, 4);
        GradCheck.Check(t => Ops.Sum(t[0]), [x]);
        GradCheck.Check(t => Ops.Mean(t[0]), [x]);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(2, false)]
    [InlineData(-1, true)]
    public void AxisReductionGradients(int axis, bool keep)
    {
        var x = GradCheck.Param(new Rng(5), 2, 3, 4);
        GradCheck.Check(t => Ops.Sum(t[0], axis, keep), [x]);
        GradCheck.Check(t => Ops.Mean(t[0], axis, keep), [x]);
        GradCheck.Check(t => Ops.Max(t[0], axis, keep), [x]);
    }

    [Fact]
    public void AxisValues()
    {
        var x = Tensor.FromArray([1, 5, 3, 4, 2, 6], 2, 3);
        Assert.Equal(new float[] { 9, 12 }, Ops.Sum(x, 1).ToArray());
        Assert.Equal(new float[] { 2.5f, 3.5f, 4.5f }, Ops.Mean(x, 0).ToArray());
        var m = Ops.Max(x, 1, false, out var arg);
        Assert.Equal(new float[] { 5, 6 }, m.ToArray());
        Assert.Equal(new[] { 1, 2 }, arg);
        Assert.Equal(new[] { 2, 1 }, Ops.Sum(x, 1, keepDim: true).Shape.ToArray());
    }

    [Fact]
    public void BadAxisIsNamed()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Sum(Tensor.Zeros(2, 3), 2));
        Assert.Contains("axis 2", ex.Message);
    }
}
