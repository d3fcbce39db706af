using Xunit;

namespace EmbedRec.Tensors.Tests.Operations;


public class GatherTests
{
    [Fact]
    public void DenseGradientScatterAdds()
    {
        var table = GradCheck.Param(new Rng(4), 5, 3);
        GradCheck.Check(t => Ops.Gather(t[0], [1, 3, 1, 0], [2, 2]), [table]);
        Assert.Equal(new[] { 2, 2, 3 }, Ops.Gather(table, [1, 3, 1, 0], [2, 2]).Shape.ToArray());
    }

    [Fact]
    public void SparseGradientMatchesDense()
    {
        var table = GradCheck.Param(new Rng(4), 5, 3);
        table.SparseGradients = true;
        GradCheck.Check(t => Ops.Gather(t[0], [4, 2, 4]), [table]);
        Assert.Null(table.Grad);
        Assert.NotNull(table.SparseGrad);
        table.SparseGrad!.Coalesce();
        Assert.Equal(new[] { 2, 4 }, table.SparseGrad.Rows.ToArray());
    }

    [Fact]
    public void PaddingIndexGetsNoGradient()
    {
        var table = GradCheck.Param(new Rng(4), 4, 2);
        Ops.Sum(Ops.Gather(table, [0, 1, 0], paddingIndex: 0)).Backward();
        Assert.Equal(new float[] { 0, 0, 1, 1, 0, 0, 0, 0 }, table.Grad!.ToArray());
    }

    [Fact]
    public void OutOfRangeIndexIsNamed()
    {
        var ex = Assert.Throws<IndexOutOfRangeException>(() => Ops.Gather(Tensor.Zeros(5, 3), [1, 7, 2]));
        Assert.Contains("index 7 at position 1", ex.Message);
        Assert.Contains("5 rows", ex.Message);
    }

    [Fact]
    public void MaskedFillGradientAndBroadcast()
    {
        var x = GradCheck.Param(new Rng(5), 2, 3);
        bool[] mask = [true, false, true];
        GradCheck.Check(t => Ops.MaskedFill(t[0], mask, [1, 3], -5f), [x]);
        var y = Ops.MaskedFill(Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3), mask, [3], 0f);
        Assert.Equal(new float[] { 0, 2, 0, 0, 5, 0 }, y.ToArray());
    }
}
