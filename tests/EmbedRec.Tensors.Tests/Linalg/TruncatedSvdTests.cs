using EmbedRec.Tensors.Linalg;
using EmbedRec.Tensors.Sparse;
using Xunit;

namespace EmbedRec.Tensors.Tests.Linalg;

public sealed class TruncatedSvdTests
{
    [Fact]
    public void AnAllZeroMatrixHasZeroSingularValuesNotAToleranceError()
    {
        var zero = CsrMatrix<double>.FromCoo(5, 4, [], [], []);
        var r = TruncatedSvd.Compute(zero, 2);
        Assert.Equal(2, r.Count);
        Assert.All(r.Values, v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void ADiagonalMatrixGivesItsDiagonalInDescendingOrder()
    {
        var a = CsrMatrix<double>.FromCoo(4, 3, [0, 1, 2], [0, 1, 2], [2.0, 5.0, 3.0]);
        var r = TruncatedSvd.Compute(a, 3, new EigenOptions { Tolerance = 1e-12 });
        Assert.Equal(5.0, r.Values[0], 8);
        Assert.Equal(3.0, r.Values[1], 8);
        Assert.Equal(2.0, r.Values[2], 8);
    }
}
