using EmbedRec.Tensors.Sparse;
using Xunit;

namespace EmbedRec.Tensors.Tests.Operations;


public class SpMMTests
{
    [Fact]
    public void GradientAndValue()
    {
        var a = CsrMatrix<float>.FromCoo(3, 4, [0, 0, 1, 2, 2], [1, 3, 0, 2, 1], [2f, 1f, -1f, 0.5f, 3f]);
        var x = GradCheck.Param(new Rng(15), 4, 2);
        GradCheck.Check(t => Ops.SpMM(a, t[0]), [x]);
        var dense = Ops.MatMul(Tensor.FromArray(a.ToDense(), 3, 4), x);
        GradCheck.Close(dense.ToArray(), Ops.SpMM(a, x).ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void PropagateRowsEqualsGatheredLayerMeanWithGradients(int layers)
    {
        // A small asymmetric graph (the backward pass must use Aᵀ), rows with a duplicate and a node without edges.
        var a = CsrMatrix<float>.FromCoo(5, 5, [0, 0, 1, 2, 3, 3, 1], [1, 3, 0, 3, 2, 0, 4], [0.5f, 0.25f, 0.7f, 0.4f, 0.6f, -0.3f, 0.9f]);
        int[] rows = [3, 0, 3, 4];
        float scale = 1f / (layers + 1);
        var x = GradCheck.Param(new Rng(21), 5, 3);
        GradCheck.Check(t => Ops.PropagateRows(a, t[0], layers, rows, scale), [x]);

        Tensor Reference(Tensor t)
        {
            var sum = t; var cur = t;
            for (int l = 0; l < layers; l++) { cur = Ops.SpMM(a, cur); sum = Ops.Add(sum, cur); }
            return Ops.Gather(Ops.MulScalar(sum, scale), rows);
        }
        GradCheck.Close(Reference(x).ToArray(), Ops.PropagateRows(a, x, layers, rows, scale).ToArray());

        // The same gradient as the composed ops for a fixed upstream gradient.
        var w = Tensor.FromArray([.. Enumerable.Range(0, 12).Select(i => (i % 5) - 2f)], 4, 3);
        var x1 = GradCheck.Param(new Rng(21), 5, 3);
        Ops.Sum(Ops.Mul(Ops.PropagateRows(a, x1, layers, rows, scale), w)).Backward();
        var x2 = GradCheck.Param(new Rng(21), 5, 3);
        Ops.Sum(Ops.Mul(Reference(x2), w)).Backward();
        GradCheck.Close(x2.Grad!.ToArray(), x1.Grad!.ToArray());
    }

    [Fact]
    public void PropagateRowsRejectsBadInput()
    {
        var a = CsrMatrix<float>.FromCoo(3, 3, [0, 1], [1, 2], [1f, 1f]);
        var x = Tensor.Zeros(3, 2);
        Assert.Contains("row 7", Assert.Throws<IndexOutOfRangeException>(() => Ops.PropagateRows(a, x, 2, [0, 7])).Message);
        Assert.Contains("[3, d]", Assert.Throws<ArgumentException>(() => Ops.PropagateRows(a, Tensor.Zeros(4, 2), 2, [0])).Message);
        var rect = CsrMatrix<float>.FromCoo(3, 4, [0], [1], [1f]);
        Assert.Contains("square", Assert.Throws<ArgumentException>(() => Ops.PropagateRows(rect, Tensor.Zeros(3, 2), 1, [0])).Message);
    }
}
