using EmbedRec.Tensors.Kernels;
using EmbedRec.Tensors.Linalg;
using Xunit;

namespace EmbedRec.Tensors.Tests.Kernels;

public class SpdInverseTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(300)]
    [InlineData(600)]
    public void InverseTimesMatrixIsIdentity(int n)
    {
        var rng = new Rng((ulong)n);
        var x = new float[n * 2 * n];
        rng.FillNormal(x);
        var g = new float[n * n];
        Blas.Managed.Sgemm(true, false, n, n, 2 * n, 1f / n, x, n, x, n, 0f, g, n);
        for (int i = 0; i < n; i++) g[i * n + i] += 1f;
        foreach (bool managed in new[] { true, false })
        {
            var inv = (float[])g.Clone();
            SpdInverse.Invert(inv, n, forceManaged: managed);
            var prod = new float[n * n];
            Blas.Managed.Sgemm(false, false, n, n, n, 1f, g, n, inv, n, 0f, prod, n);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    Assert.True(MathF.Abs(prod[i * n + j] - (i == j ? 1f : 0f)) < 2e-3f, $"managed={managed} ({i},{j}) = {prod[i * n + j]}");
            for (int i = 0; i < n; i++)
                for (int j = 0; j < i; j++) Assert.Equal(inv[i * n + j], inv[j * n + i], 3);
        }
    }

    [Fact]
    public void NotPositiveDefiniteIsReported()
    {
        float[] m = [1, 2, 2, 1];
        var e = Assert.Throws<ArgumentException>(() => SpdInverse.Invert(m, 2, forceManaged: true));
        Assert.Contains("not positive definite", e.Message);
        Assert.Throws<ArgumentException>(() => SpdInverse.Invert(new float[3], 2));
    }
}
