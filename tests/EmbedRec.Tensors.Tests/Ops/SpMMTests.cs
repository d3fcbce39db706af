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
    [InlineData(2)]
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

    [Fact]
    public void PrefetchingAheadChangesNoBitOfTheProduct()
    {
        // Rows longer and shorter than the prefetch distance, a last row whose look-ahead runs past the end, and a
        // width with a 64-column block and a 16-column tail. The prefetching kernel needs AVX-512 (this project's
        // machines have it); elsewhere the generic path runs and the distance is unused.
        var rng = new Rng(11);
        int n = 300, d = 80;
        var rows = new List<int>(); var cols = new List<int>(); var vals = new List<float>();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < 1 + i % 23; j++) { rows.Add(i); cols.Add((int)(rng.NextUInt64() % (ulong)n)); vals.Add(rng.NextSingle() - 0.5f); }
        var a = CsrMatrix<float>.FromCoo(n, n, rows.ToArray(), cols.ToArray(), vals.ToArray());
        var x = new float[n * d]; rng.FillNormal(x);
        var z = new float[n * d]; rng.FillNormal(z);
        int saved = CsrMatrix<float>.FloatPrefetchDistance;
        try
        {
            float[] Product(int distance, bool withAddend)
            {
                CsrMatrix<float>.FloatPrefetchDistance = distance;
                var y = new float[n * d];
                if (withAddend) a.MultiplyAdd(x, y, d, 0.9f, z, 0.3f);
                else a.Multiply(x, y, d, 0f);
                return y;
            }
            foreach (bool addend in new[] { false, true })
            {
                var plain = Product(0, addend);
                foreach (int distance in new[] { 1, 8, 1000 }) Assert.Equal(plain, Product(distance, addend));
            }
        }
        finally { CsrMatrix<float>.FloatPrefetchDistance = saved; }
    }
}
