namespace EmbedRec.Tensors.Kernels;

/// <summary>
/// The one GEMM seam: C ← α·op(A)·op(B) + β·C, row-major. op(A) is [m, k] (A stored [k, m]
/// when <c>transA</c>), op(B) is [k, n] (B stored [n, k] when <c>transB</c>).
/// </summary>
public interface IBlas
{
    /// <summary>Short name, "openblas" or "managed".</summary>
    string Name { get; }

    /// <summary>Human-readable description: library version, kernel, threads.</summary>
    string Description { get; }

    /// <summary>Threads the backend uses.</summary>
    int Threads { get; }

    /// <summary>Single-precision general matrix multiply, row-major.</summary>
    void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc);
}
