using EmbedRec.Graphs;
using EmbedRec.Tensors.Linalg;
using EmbedRec.Tensors.Sparse;
using Xunit;

namespace EmbedRec.Tests.Graphs;

public class LaplacianTests
{
    // Path 0 —(2)— 1 —(1)— 2 and an isolated node 3: degrees 2, 3, 1, 0; d_max = 3.
    private static CsrMatrix<double> Path() => CsrMatrix<double>.FromEdges(4, [(0, 1), (1, 2)], [2.0, 1.0], symmetric: true);

    private static void Close(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-15, $"entry {i}: {actual[i]} vs {expected[i]}");
    }

    [Fact]
    public void RegularizedNormalizedLaplacianByHand()
    {
        // α = 0.5: D_reg = 0.5·D + 1.5·I = diag(2.5, 3, 2, 1.5).
        double s0 = 1 / Math.Sqrt(2.5), s1 = 1 / Math.Sqrt(3), s2 = 1 / Math.Sqrt(2);
        Close(
        [
            1, -2 * s0 * s1, 0, 0,
            -2 * s0 * s1, 1, -s1 * s2, 0,
            0, -s1 * s2, 1, 0,
            0, 0, 0, 1,
        ], Laplacian.Build(Path()).ToDense());
        Close([2.5, 3, 2, 1.5], Laplacian.RegularizedDegrees(Path(), 0.5));
    }

    [Fact]
    public void AlphaZeroIsTheNormalizedLaplacianOfEigenmaps()
    {
        var w = Path();
        var l = Laplacian.Build(w, new LaplacianOptions { Alpha = 0 }).ToDense();
        var a = w.SymmetricNormalize().ToDense();
        var expected = new double[16];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) expected[i * 4 + j] = (i == j ? 1 : 0) - a[i * 4 + j];
        Close(expected, l);
        Close(a, Laplacian.NormalizedAdjacency(w, 0).ToDense());
    }

    [Fact]
    public void UnnormalizedVariants()
    {
        var w = Path();
        Close(
        [
            2, -2, 0, 0,
            -2, 3, -1, 0,
            0, -1, 1, 0,
            0, 0, 0, 0,
        ], Laplacian.Build(w, new LaplacianOptions { Alpha = 0, Kind = LaplacianKind.Unnormalized }).ToDense());
        // (1 − α)D − W + α·d_max·I with α = 0.5.
        Close(
        [
            2.5, -2, 0, 0,
            -2, 3, -1, 0,
            0, -1, 2, 0,
            0, 0, 0, 1.5,
        ], Laplacian.Build(w, new LaplacianOptions { Kind = LaplacianKind.Unnormalized }).ToDense());
    }

    [Fact]
    public void SelfLoopsMergeIntoTheDiagonal()
    {
        var w = CsrMatrix<double>.FromCoo(2, 2, [0, 0, 1, 1], [0, 1, 0, 1], [1.0, 1.0, 1.0, 3.0]);
        // Degrees 2 and 4; α = 0: L = I − D^-½ W D^-½.
        Close([1 - 0.5, -1 / Math.Sqrt(8), -1 / Math.Sqrt(8), 1 - 0.75], Laplacian.Build(w, new LaplacianOptions { Alpha = 0 }).ToDense());
    }

    [Fact]
    public void SmallestOfLAreTheLargestOfTheNormalizedAdjacency()
    {
        var w = CsrMatrix<double>.FromEdges(6, [(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (2, 3)], [0.5, 1, 0.25, 1, 0.5, 0.1], symmetric: true);
        var small = BlockLanczos.Solve(new CsrOperator(Laplacian.Build(w)), 3);
        var large = BlockLanczos.Solve(new CsrOperator(Laplacian.NormalizedAdjacency(w)), 3, new EigenOptions { Which = EigenEnd.Largest });
        for (int t = 0; t < 3; t++) Assert.Equal(1 - small.Values[t], large.Values[t], 1e-12);
        Assert.True(small.Vectors.Zip(large.Vectors, (p, q) => Math.Abs(p - q)).Max() < 1e-10);
    }

    [Fact]
    public void RejectsBadGraphsAndAlphas()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Laplacian.Build(Path(), new LaplacianOptions { Alpha = 1.5 }));
        Assert.Throws<ArgumentException>(() => Laplacian.Build(CsrMatrix<double>.FromCoo(2, 2, [0], [1], [-1.0])));
        Assert.Throws<ArgumentException>(() => Laplacian.Build(CsrMatrix<double>.FromCoo(2, 3, [0], [1], [1.0])));
    }
}
