using Xunit;

namespace EmbedRec.Tensors.Tests.Autograd;


public class AutogradTests
{
    [Fact]
    public void GradientsAccumulateAcrossBackwardCalls()
    {
        var w = Tensor.FromArray([1f, 2f], 2);
        w.RequiresGrad = true;
        Ops.Sum(Ops.Mul(w, w)).Backward();
        Ops.Sum(Ops.Mul(w, w)).Backward();
        Assert.Equal(new float[] { 4, 8 }, w.Grad!.ToArray());
        w.ZeroGrad();
        Assert.Equal(new float[] { 0, 0 }, w.Grad!.ToArray());
    }

    [Fact]
    public void SharedSubexpressionGetsBothContributions()
    {
        var x = GradCheck.Param(new Rng(1), 3);
        GradCheck.Check(t => { var y = Ops.Exp(t[0]); return Ops.Add(Ops.Mul(y, y), y); }, [x]);
    }

    [Fact]
    public void NoGradRecordsNothing()
    {
        var w = GradCheck.Param(new Rng(1), 3);
        Tensor y;
        using (GradMode.NoGrad()) y = Ops.Exp(w);
        Assert.False(y.RequiresGrad);
        Assert.True(GradMode.IsEnabled);
        Assert.Throws<InvalidOperationException>(() => Ops.Sum(y).Backward());
    }

    [Fact]
    public void GraphIsReleasedAfterBackward()
    {
        var w = GradCheck.Param(new Rng(1), 3);
        var hidden = Ops.Exp(w);
        var kept = Ops.Tanh(w).Retain();
        var loss = Ops.Sum(Ops.Add(hidden, kept));
        loss.Backward();
        Assert.True(loss.IsLeaf);
        Assert.True(hidden.IsLeaf);
        var ex = Assert.Throws<InvalidOperationException>(() => hidden.ToArray());
        Assert.Contains("Retain()", ex.Message);
        Assert.Equal(3, kept.ToArray().Length);
        Assert.False(float.IsNaN(loss.Item()));
    }

    [Fact]
    public void WrongGradientShapeIsNamed()
    {
        var w = GradCheck.Param(new Rng(1), 2, 3);
        var y = Ops.Exp(w);
        var ex = Assert.Throws<ArgumentException>(() => y.Backward(Tensor.Zeros(3, 2)));
        Assert.Contains("[3, 2]", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
        var ex2 = Assert.Throws<ArgumentException>(() => y.Backward());
        Assert.Contains("one-element", ex2.Message);
    }

    [Fact]
    public void RetainGraphAllowsASecondBackward()
    {
        var w = Tensor.FromArray([3f], 1);
        w.RequiresGrad = true;
        var loss = Ops.Sum(Ops.Mul(w, w));
        loss.Backward(null, retainGraph: true);
        loss.Backward();
        Assert.Equal(12f, w.Grad!.Item());
    }

    [Fact]
    public void FactoriesValidateAndSeed()
    {
        Assert.Throws<ArgumentException>(() => Tensor.FromArray([1f, 2f, 3f], 2, 2));
        Assert.Equal(Tensor.RandomNormal(new Rng(3), [5]).ToArray(), Tensor.RandomNormal(new Rng(3), [5]).ToArray());
        Assert.NotEqual(Tensor.RandomNormal(new Rng(3), [5]).ToArray(), Tensor.RandomNormal(new Rng(4), [5]).ToArray());
        Assert.Equal(new float[] { 2, 2 }, Tensor.Full(2f, 2).ToArray());
        var u = Tensor.RandomUniform(new Rng(1), [1000], -1, 1).ToArray();
        Assert.All(u, v => Assert.InRange(v, -1f, 1f));
    }
}
