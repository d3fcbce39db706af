using EmbedRec.Tensors.Linalg;
using Xunit;

namespace EmbedRec.Tensors.Tests.Linalg;

public class SymmetricEigenTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(40)]
    public void RandomMatricesDecomposeToOrthonormalAscendingPairs(int n)
    {
        var rng = new Rng((ulong)n);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = i; j < n; j++) a[i * n + j] = a[j * n + i] = rng.NextNormal();
        CheckDecomposition(a, n);
    }

    [Fact]
    public void RepeatedZeroAndDiagonalSpectraAreExact()
    {
        CheckDecomposition(new double[9], 3);
        var identity = new double[16];
        for (int i = 0; i < 4; i++) identity[i * 4 + i] = 1;
        var (values, _) = CheckDecomposition(identity, 4);
        Assert.All(values, v => Assert.Equal(1.0, v));
        var (diag, _) = CheckDecomposition([3, 0, 0, 0, -1, 0, 0, 0, 3], 3);
        Assert.Equal(new[] { -1.0, 3.0, 3.0 }, diag);
    }

    [Fact]
    public void PathLaplacianMatchesItsClosedForm()
    {
        // L = D − W of the path on n nodes has eigenvalues 2 − 2cos(πk/n), k = 0..n−1.
        int n = 25;
        var a = new double[n * n];
        for (int i = 0; i + 1 < n; i++)
        {
            a[i * n + i + 1] = a[(i + 1) * n + i] = -1;
            a[i * n + i]++;
            a[(i + 1) * n + i + 1]++;
        }
        var (values, _) = CheckDecomposition(a, n);
        for (int k = 0; k < n; k++) Assert.Equal(2 - 2 * Math.Cos(Math.PI * k / n), values[k], 1e-13);
    }

    [Fact]
    public void RejectsWrongSizesAndNonFiniteEntries()
    {
        Assert.Throws<ArgumentException>(() => SymmetricEigen.Decompose(new double[5], 2));
        Assert.Throws<ArgumentException>(() => SymmetricEigen.Decompose([1, double.NaN, double.NaN, 1], 2));
    }

    private static (double[] Values, double[] Vectors) CheckDecomposition(double[] a, int n)
    {
        var (values, vectors) = SymmetricEigen.Decompose(a, n);
        double scale = Math.Max(1, a.Max(Math.Abs)) * n;
        for (int j = 0; j < n; j++)
        {
            if (j > 0) Assert.True(values[j - 1] <= values[j], $"eigenvalues not ascending at {j}");
            for (int i = 0; i < n; i++)
            {
                double av = 0;
                for (int c = 0; c < n; c++) av += a[i * n + c] * vectors[c * n + j];
                Assert.True(Math.Abs(av - values[j] * vectors[i * n + j]) < 1e-13 * scale, $"residual of pair {j} at row {i}");
            }
            for (int k = 0; k <= j; k++)
            {
                double dot = 0;
                for (int i = 0; i < n; i++) dot += vectors[i * n + j] * vectors[i * n + k];
                Assert.Equal(j == k ? 1.0 : 0.0, dot, 1e-13);
            }
        }
        return (values, vectors);
    }
}
