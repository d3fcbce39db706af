using Xunit;

namespace EmbedRec.Tensors.Tests.Operations;


public class SoftmaxTests
{
    [Fact]
    public void Gradients()
    {
        var x = GradCheck.Param(new Rng(6), 3, 5);
        GradCheck.Check(t => Ops.Softmax(t[0]), [x]);
        GradCheck.Check(t => Ops.LogSoftmax(t[0]), [x]);
    }

    [Fact]
    public void Values()
    {
        var x = Tensor.FromArray([1, 2, 3, 1000, 1000, 1000], 2, 3);
        GradCheck.Close([0.09003057f, 0.24472848f, 0.66524094f, 1 / 3f, 1 / 3f, 1 / 3f], Ops.Softmax(x).ToArray());
        GradCheck.Close([-2.4076059f, -1.4076059f, -0.4076059f], Ops.LogSoftmax(x).ToArray().AsSpan(0, 3));
    }

    [Fact]
    public void FullyMaskedRowIsZero()
    {
        var x = Tensor.FromArray([float.NegativeInfinity, float.NegativeInfinity, 0, 0], 2, 2);
        Assert.Equal(new float[] { 0, 0, 0.5f, 0.5f }, Ops.Softmax(x).ToArray());
    }
}
