using Xunit;

namespace EmbedRec.Tensors.Tests.Operations;


public class LossTests
{
    [Fact]
    public void CrossEntropyGradientWithIgnore()
    {
        var x = GradCheck.Param(new Rng(7), 4, 5);
        GradCheck.Check(t => Ops.CrossEntropy(t[0], [1, -100, 4, 0]), [x]);
    }

    [Fact]
    public void CrossEntropyValue()
    {
        // torch.nn.functional.cross_entropy(torch.tensor([[1.,2.,3.],[1.,0.,-1.]]), torch.tensor([2, 0])) = 0.4076059
        var x = Tensor.FromArray([1, 2, 3, 1, 0, -1], 2, 3);
        Assert.Equal(0.4076059f, Ops.CrossEntropy(x, [2, 0]).Item(), 5);
        Assert.Equal(0.4076059f, Ops.CrossEntropy(x, [2, -100]).Item(), 5);
        var ex = Assert.Throws<IndexOutOfRangeException>(() => Ops.CrossEntropy(x, [3, 0]));
        Assert.Contains("target 3 at row 0", ex.Message);
    }

    [Fact]
    public void BceWithLogitsGradientAndValue()
    {
        var x = GradCheck.Param(new Rng(8), 2, 3);
        var t = Tensor.FromArray([1, 0, 1, 0, 0, 1], 2, 3);
        GradCheck.Check(v => Ops.BceWithLogits(v[0], t), [x]);
        // (softplus(-0.5) + softplus(-1) + softplus(2)) / 3 = (0.474077 + 0.313262 + 2.126928) / 3
        Assert.Equal(0.9714223f, Ops.BceWithLogits(Tensor.FromArray([0.5f, -1f, 2f], 3), Tensor.FromArray([1f, 0f, 0f], 3)).Item(), 5);
    }

    [Fact]
    public void BprGradientAndValue()
    {
        var rng = new Rng(9);
        var p = GradCheck.Param(rng, 6);
        var n = GradCheck.Param(rng, 6);
        GradCheck.Check(v => Ops.BprLoss(v[0], v[1]), [p, n]);
        // −mean(log σ([1, −2])) = (0.3132617 + 2.126928) / 2
        Assert.Equal(1.2200948f, Ops.BprLoss(Tensor.FromArray([2f, 0f], 2), Tensor.FromArray([1f, 2f], 2)).Item(), 5);
    }
}
