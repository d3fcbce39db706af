using Xunit;

namespace EmbedRec.Tensors.Tests.Operations;


public class ArithmeticTests
{
    public static TheoryData<int[], int[]> Shapes => new()
    {
        { new[] { 3, 4 }, new[] { 3, 4 } },
        { new[] { 3, 4 }, new int[] { } },
        { new[] { 2, 3, 4 }, new[] { 4 } },
        { new[] { 2, 3, 4 }, new[] { 3, 4 } },
        { new[] { 4 }, new[] { 2, 3, 4 } },
        { new[] { 2, 1, 4 }, new[] { 3, 1 } },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void AddSubMulDivGradients(int[] sa, int[] sb)
    {
        var rng = new Rng(1);
        var a = GradCheck.Param(rng, sa);
        var b = GradCheck.ParamUniform(rng, 0.5f, 2f, sb);
        GradCheck.Check(x => Ops.Add(x[0], x[1]), [a, b]);
        GradCheck.Check(x => Ops.Sub(x[0], x[1]), [a, b]);
        GradCheck.Check(x => Ops.Mul(x[0], x[1]), [a, b]);
        GradCheck.Check(x => Ops.Div(x[0], x[1]), [a, b]);
    }

    [Fact]
    public void BroadcastValues()
    {
        var a = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        var b = Tensor.FromArray([10, 20, 30], 3);
        Assert.Equal(new float[] { 11, 22, 33, 14, 25, 36 }, (a + b).ToArray());
        var c = Tensor.FromArray([1, 2], 2, 1);
        Assert.Equal(new float[] { 1, 2, 3, 8, 10, 12 }, (a * c).ToArray());
        Assert.Equal(new float[] { 2, 4, 6, 8, 10, 12 }, (a * 2f).ToArray());
    }

    [Fact]
    public void ScalarOpsGradients()
    {
        var a = GradCheck.Param(new Rng(3), 3, 2);
        GradCheck.Check(x => Ops.AddScalar(x[0], 1.5f), [a]);
        GradCheck.Check(x => Ops.MulScalar(x[0], -0.7f), [a]);
    }

    [Fact]
    public void MismatchedShapesNameBothShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Ops.Add(Tensor.Zeros(2, 3), Tensor.Zeros(4, 3)));
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("[4, 3]", ex.Message);
    }
}
