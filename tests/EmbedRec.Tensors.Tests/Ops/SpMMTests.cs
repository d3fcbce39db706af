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
}
