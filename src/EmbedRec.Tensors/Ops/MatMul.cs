using EmbedRec.Tensors.Autograd;
using EmbedRec.Tensors.Kernels;

namespace EmbedRec.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Matrix product op(a)·op(b). 2-D: a [M,K] (or [K,M] with <paramref name="transA"/>), b [K,N]
    /// (or [N,K] with <paramref name="transB"/>) → [M,N]. 3-D: batched over the first dimension,
    /// a [B,M,K], b [B,K,N] → [B,M,N]; b may also be 2-D, shared by every batch.
    /// </summary>
    public static Tensor MatMul(Tensor a, Tensor b, bool transA = false, bool transB = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Rank == 2 && b.Rank == 2) return MatMul2D(a, b, transA, transB);
        if (a.Rank == 3 && b.Rank == 2 && !transA)
        {
            var flat = Reshape(a, a.Dim(0) * a.Dim(1), a.Dim(2));
            var y2 = MatMul2D(flat, b, false, transB);
            return Reshape(y2, a.Dim(0), a.Dim(1), y2.Dim(1));
        }
        if (a.Rank == 3 && b.Rank == 3) return MatMulBatched(a, b, transA, transB);
        throw new ArgumentException($"MatMul: unsupported ranks {a.Describe()} and {b.Describe()} (2-D×2-D, 3-D×3-D or 3-D×2-D).");
    }

    private static (int M, int K, int N) GemmDims(ReadOnlySpan<int> sa, ReadOnlySpan<int> sb, bool transA, bool transB, string aText, string bText)
    {
        int r = sa.Length;
        int m = transA ? sa[r - 1] : sa[r - 2], ka = transA ? sa[r - 2] : sa[r - 1];
        int kb = transB ? sb[^1] : sb[^2], n = transB ? sb[^2] : sb[^1];
        if (ka != kb)
            throw new ArgumentException($"MatMul: inner dimensions differ: {aText}{(transA ? "ᵀ" : "")} has {ka} columns, {bText}{(transB ? "ᵀ" : "")} has {kb} rows.");
        return (m, ka, n);
    }

    private static Tensor MatMul2D(Tensor a, Tensor b, bool transA, bool transB)
    {
        var (m, k, n) = GemmDims(a.Shape, b.Shape, transA, transB, a.Describe(), b.Describe());
        int lda = a.Dim(1), ldb = b.Dim(1);
        var y = Tensor.Pooled([m, n]);
        Blas.Current.Sgemm(transA, transB, m, n, k, 1f, a.Span, lda, b.Span, ldb, 0f, y.Span, n);
        if (Backprop.Tracks(a, b))
            Backprop.Record(y, "matmul", [a, b], g =>
            {
                var blas = Blas.Current;
                if (a.RequiresGrad)
                {
                    if (!transA) blas.Sgemm(false, !transB, m, k, n, 1f, g.Span, n, b.Span, ldb, 1f, Backprop.GradSpan(a), lda);
                    else blas.Sgemm(transB, true, k, m, n, 1f, b.Span, ldb, g.Span, n, 1f, Backprop.GradSpan(a), lda);
                }
                if (b.RequiresGrad)
                {
                    if (!transB) blas.Sgemm(!transA, false, k, n, m, 1f, a.Span, lda, g.Span, n, 1f, Backprop.GradSpan(b), ldb);
                    else blas.Sgemm(true, transA, n, k, m, 1f, g.Span, n, a.Span, lda, 1f, Backprop.GradSpan(b), ldb);
                }
            });
        return y;
    }

    private static Tensor MatMulBatched(Tensor a, Tensor b, bool transA, bool transB)
    {
        int batch = a.Dim(0);
        if (b.Dim(0) != batch) throw new ArgumentException($"MatMul: batch sizes differ: {a.Describe()} and {b.Describe()}.");
        var (m, k, n) = GemmDims(a.Shape, b.Shape, transA, transB, a.Describe(), b.Describe());
        int lda = a.Dim(2), ldb = b.Dim(2);
        int sa = a.Dim(1) * a.Dim(2), sb = b.Dim(1) * b.Dim(2), sc = m * n;
        var y = Tensor.Pooled([batch, m, n]);
        BatchedGemm(batch, transA, transB, m, n, k, a.Data, sa, lda, b.Data, sb, ldb, 0f, y.Data, sc, n);
        if (Backprop.Tracks(a, b))
            Backprop.Record(y, "bmm", [a, b], g =>
            {
                var gd = g.Data;
                if (a.RequiresGrad)
                {
                    Backprop.GradSpan(a);
                    var ga = a.Grad!.Data;
                    if (!transA) BatchedGemm(batch, false, !transB, m, k, n, gd, sc, n, b.Data, sb, ldb, 1f, ga, sa, lda);
                    else BatchedGemm(batch, transB, true, k, m, n, b.Data, sb, ldb, gd, sc, n, 1f, ga, sa, lda);
                }
                if (b.RequiresGrad)
                {
                    Backprop.GradSpan(b);
                    var gb = b.Grad!.Data;
                    if (!transB) BatchedGemm(batch, !transA, false, k, n, m, a.Data, sa, lda, gd, sc, n, 1f, gb, sb, ldb);
                    else BatchedGemm(batch, true, transA, n, k, m, gd, sc, n, a.Data, sa, lda, 1f, gb, sb, ldb);
                }
            });
        return y;
    }

    /// <summary>Runs one GEMM per batch entry; small products run in parallel over the batch.</summary>
    internal static void BatchedGemm(int batch, bool transA, bool transB, int m, int n, int k,
        float[] a, int strideA, int lda, float[] b, int strideB, int ldb, float beta, float[] c, int strideC, int ldc)
    {
        if ((long)m * n * k >= 96L * 96 * 96 || batch == 1)
        {
            for (int i = 0; i < batch; i++)
                Blas.Current.Sgemm(transA, transB, m, n, k, 1f, a.AsSpan(i * strideA, strideA), lda,
                    b.AsSpan(i * strideB, strideB), ldb, beta, c.AsSpan(i * strideC, strideC), ldc);
            return;
        }
        var single = Blas.SingleThreaded;
        Parallel.For(0, batch, new ParallelOptions { MaxDegreeOfParallelism = Blas.ThreadCount }, i =>
            single.Sgemm(transA, transB, m, n, k, 1f, a.AsSpan(i * strideA, strideA), lda,
                b.AsSpan(i * strideB, strideB), ldb, beta, c.AsSpan(i * strideC, strideC), ldc));
    }
}
