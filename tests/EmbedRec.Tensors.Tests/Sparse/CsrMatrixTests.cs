using EmbedRec.Tensors.Sparse;
using Xunit;

namespace EmbedRec.Tensors.Tests.Sparse;

public class CsrMatrixTests
{
    [Fact]
    public void FromCooSumsDuplicatesAndSortsColumns()
    {
        var a = CsrMatrix<float>.FromCoo(2, 3, [1, 0, 1, 0, 1], [2, 1, 0, 1, 2], [1f, 2f, 3f, 4f, 5f]);
        Assert.Equal(3, a.NonZeros);
        Assert.Equal(new float[] { 0, 6, 0, 3, 0, 6 }, a.ToDense());
        Assert.Equal(new[] { 1, 0, 2 }, a.ColIdx);
    }

    [Fact]
    public void TransposeRowSumsAndSpmv()
    {
        var a = CsrMatrix<double>.FromCoo(2, 3, [0, 0, 1], [0, 2, 1], [1.0, 2.0, 3.0]);
        var t = a.Transpose();
        Assert.Equal(new double[] { 1, 0, 0, 3, 2, 0 }, t.ToDense());
        Assert.Same(a, t.Transpose());
        Assert.Equal(new double[] { 3, 3 }, a.RowSums());
        var y = new double[2];
        a.Multiply([1.0, 1.0, 1.0], y);
        Assert.Equal(new double[] { 3, 3 }, y);
    }

    [Fact]
    public void SymmetricNormalizationLeavesIsolatedNodesAtZero()
    {
        // path 0 - 1 - 2, node 3 isolated
        var a = CsrMatrix<float>.FromEdges(4, [(0, 1), (1, 2)], symmetric: true);
        var n = a.SymmetricNormalize().ToDense();
        float s = 1f / MathF.Sqrt(2f);
        GradCheck.Close([0, s, 0, 0, s, 0, s, 0, 0, s, 0, 0, 0, 0, 0, 0], n);
    }

    [Fact]
    public void ParallelSpmmMatchesDense()
    {
        var rng = new Rng(2);
        int m = 700, k = 500, d = 64;
        var rows = new List<int>(); var cols = new List<int>(); var vals = new List<float>();
        for (int e = 0; e < 20000; e++) { rows.Add(rng.NextInt(m)); cols.Add(rng.NextInt(k)); vals.Add(rng.NextSingle()); }
        var a = CsrMatrix<float>.FromCoo(m, k, rows.ToArray(), cols.ToArray(), vals.ToArray());
        var x = Tensor.RandomNormal(rng, [k, d]);
        var y = new float[m * d];
        a.Multiply(x.Span, y, d, 0f);
        var dense = EmbedRec.Tensors.Ops.MatMul(Tensor.FromArray(a.ToDense(), m, k), x);
        GradCheck.Close(dense.Span, y, 1e-4f, 1e-4f);
        var y2 = new float[m * d];
        a.Multiply(x.Span, y2, d, 0f);
        Assert.Equal(y, y2);
    }

    [Theory]
    [InlineData(64)]  // register fast path
    [InlineData(80)]  // fast path with a 16-wide remainder
    [InlineData(5)]   // generic path
    public void FusedSpmmWithAddendMatchesSeparateSteps(int d)
    {
        var rng = new Rng(3);
        int n = 600;
        var rows = new List<int>(); var cols = new List<int>(); var vals = new List<float>();
        for (int e = 0; e < 15000; e++) { rows.Add(rng.NextInt(n)); cols.Add(rng.NextInt(n)); vals.Add(rng.NextSingle()); }
        var a = CsrMatrix<float>.FromCoo(n, n, rows.ToArray(), cols.ToArray(), vals.ToArray());
        var x = Tensor.RandomNormal(rng, [n, d]).ToArray();
        var z = Tensor.RandomNormal(rng, [n, d]).ToArray();
        var ax = new float[n * d];
        a.Multiply(x, ax, d, 0f);
        var expected = ax.Select((v, i) => 0.7f * v + (-1.5f) * z[i]).ToArray();
        var y = new float[n * d];
        a.MultiplyAdd(x, y, d, 0.7f, z, -1.5f);
        GradCheck.Close(expected, y, 1e-5f, 1e-5f);
        Assert.Throws<ArgumentException>(() => a.MultiplyAdd(x, x, d, 1f, z, 1f));
    }

    [Theory]
    [InlineData(8)]   // the eigensolver's block: one Vector512 of doubles per row, two accumulators
    [InlineData(40)]  // 32 columns in registers, then an 8-wide remainder
    [InlineData(6)]   // generic path
    public void DoubleSpmmMatchesAnExactSum(int d)
    {
        var rng = new Rng(4);
        int n = 300;
        var rows = new List<int>(); var cols = new List<int>(); var vals = new List<double>();
        for (int e = 0; e < 9000; e++) { rows.Add(rng.NextInt(n)); cols.Add(rng.NextInt(n)); vals.Add(rng.NextDouble() - 0.5); }
        var a = CsrMatrix<double>.FromCoo(n, n, rows.ToArray(), cols.ToArray(), vals.ToArray());
        var x = Enumerable.Range(0, n * d).Select(_ => rng.NextNormal()).ToArray();
        var z = Enumerable.Range(0, n * d).Select(_ => rng.NextNormal()).ToArray();
        var dense = a.ToDense();
        var y = new double[n * d];
        var fused = new double[n * d];
        a.Multiply(x, y, d, 0.0);
        a.MultiplyAdd(x, fused, d, 0.7, z, -1.5);
        for (int r = 0; r < n; r++)
            for (int c = 0; c < d; c++)
            {
                decimal sum = 0;
                for (int j = 0; j < n; j++) sum += (decimal)dense[r * n + j] * (decimal)x[j * d + c];
                Assert.Equal((double)sum, y[r * d + c], 1e-12);
                Assert.Equal(0.7 * (double)sum - 1.5 * z[r * d + c], fused[r * d + c], 1e-12);
            }
    }

    [Fact]
    public void BadInputIsNamed()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => CsrMatrix<float>.FromCoo(2, 2, [0, 2], [0, 0], [1f, 1f]));
        Assert.Contains("entry 1 at (2, 0)", ex.Message);
        var a = CsrMatrix<float>.FromCoo(2, 3, [0], [0], [1f]);
        var ex2 = Assert.Throws<ArgumentException>(() => a.Multiply(new float[2], new float[2]));
        Assert.Contains("2×3", ex2.Message);
        Assert.Throws<InvalidOperationException>(() => a.SymmetricNormalize());
    }
}
