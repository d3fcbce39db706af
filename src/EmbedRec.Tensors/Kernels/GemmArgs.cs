namespace EmbedRec.Tensors.Kernels;

/// <summary>Argument validation shared by the GEMM backends.</summary>
internal static class GemmArgs
{
    public static void Validate(bool transA, bool transB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentException($"Sgemm: negative size m={m}, n={n}, k={k}.");
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        if (lda < Math.Max(1, aCols)) throw new ArgumentException($"Sgemm: lda={lda} is smaller than A's row length {aCols}.");
        if (ldb < Math.Max(1, bCols)) throw new ArgumentException($"Sgemm: ldb={ldb} is smaller than B's row length {bCols}.");
        if (ldc < Math.Max(1, n)) throw new ArgumentException($"Sgemm: ldc={ldc} is smaller than C's row length {n}.");
        if (aRows > 0 && aCols > 0 && (long)(aRows - 1) * lda + aCols > aLength)
            throw new ArgumentException($"Sgemm: A needs {(long)(aRows - 1) * lda + aCols} floats for [{aRows}, {aCols}] with lda={lda}, got {aLength}.");
        if (bRows > 0 && bCols > 0 && (long)(bRows - 1) * ldb + bCols > bLength)
            throw new ArgumentException($"Sgemm: B needs {(long)(bRows - 1) * ldb + bCols} floats for [{bRows}, {bCols}] with ldb={ldb}, got {bLength}.");
        if (m > 0 && n > 0 && (long)(m - 1) * ldc + n > cLength)
            throw new ArgumentException($"Sgemm: C needs {(long)(m - 1) * ldc + n} floats for [{m}, {n}] with ldc={ldc}, got {cLength}.");
    }

    public static void ScaleC(int m, int n, float beta, Span<float> c, int ldc)
    {
        if (beta == 1f) return;
        for (int i = 0; i < m; i++)
        {
            var row = c.Slice(i * ldc, n);
            if (beta == 0f) row.Clear();
            else TensorPrimitives.Multiply(row, beta, row);
        }
    }
}
