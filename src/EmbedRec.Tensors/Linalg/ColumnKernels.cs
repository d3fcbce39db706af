using EmbedRec.Tensors.Kernels;

namespace EmbedRec.Tensors.Linalg;

/// <summary>
/// Products of tall, skinny double blocks stored column-major (column c of an n-row block starts at c·n),
/// as the eigensolver needs them. Work is split into fixed row chunks that depend only on n; partial sums
/// are combined in chunk order, so results do not depend on the thread count.
/// </summary>
internal static class ColumnKernels
{
    private const int ChunkRows = 1024;

    private static int Chunks(int n) => (n + ChunkRows - 1) / ChunkRows;

    private static void ForChunks(int n, long work, Action<int, int> body)
    {
        int chunks = Chunks(n);
        if (work < 1 << 18 || chunks == 1 || Blas.ThreadCount == 1)
        {
            for (int ch = 0; ch < chunks; ch++) body(ch * ChunkRows, Math.Min(n, (ch + 1) * ChunkRows));
            return;
        }
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Blas.ThreadCount },
            ch => body(ch * ChunkRows, Math.Min(n, (ch + 1) * ChunkRows)));
    }

    /// <summary>C[i, t] = Aᵢ · Bₜ for columns aFirst.. (ac of them) of A and bFirst.. (bc) of B; C row-major [ac, bc].</summary>
    public static void Gram(double[] a, int aFirst, int ac, double[] b, int bFirst, int bc, int n, double[] c)
    {
        int chunks = Chunks(n), size = ac * bc;
        var partial = new double[chunks * size];
        ForChunks(n, (long)n * size, (r0, r1) =>
        {
            var dst = partial.AsSpan(r0 / ChunkRows * size, size);
            for (int i = 0; i < ac; i++)
            {
                var ai = a.AsSpan((aFirst + i) * n + r0, r1 - r0);
                for (int t = 0; t < bc; t++) dst[i * bc + t] = TensorPrimitives.Dot<double>(ai, b.AsSpan((bFirst + t) * n + r0, r1 - r0));
            }
        });
        var cs = c.AsSpan(0, size);
        cs.Clear();
        for (int ch = 0; ch < chunks; ch++) TensorPrimitives.Add<double>(cs, partial.AsSpan(ch * size, size), cs);
    }

    /// <summary>Bₜ −= Σᵢ Aᵢ·C[i, t] for columns aFirst.. (ac) of A and bFirst.. (bc) of B; C row-major [ac, bc].</summary>
    public static void SubtractProduct(double[] a, int aFirst, int ac, double[] c, double[] b, int bFirst, int bc, int n) =>
        ForChunks(n, (long)n * ac * bc, (r0, r1) =>
        {
            for (int t = 0; t < bc; t++)
            {
                var bt = b.AsSpan((bFirst + t) * n + r0, r1 - r0);
                for (int i = 0; i < ac; i++)
                {
                    double f = c[i * bc + t];
                    if (f != 0) TensorPrimitives.MultiplyAdd<double>(a.AsSpan((aFirst + i) * n + r0, r1 - r0), -f, bt, bt);
                }
            }
        });

    /// <summary>
    /// In place, A[:, 0..outCount) ← A[:, 0..ac) · S with S row-major [ac, outCount] (outCount ≤ ac): each row
    /// of the result depends only on the same row of A, so chunks of rows are rewritten through a small buffer.
    /// </summary>
    public static void CombineInPlace(double[] a, int ac, double[] s, int outCount, int n) =>
        ForChunks(n, (long)n * ac * outCount, (r0, r1) =>
        {
            int rows = r1 - r0;
            var tmp = new double[outCount * rows];
            for (int t = 0; t < outCount; t++)
            {
                var dst = tmp.AsSpan(t * rows, rows);
                for (int i = 0; i < ac; i++)
                {
                    double f = s[i * outCount + t];
                    if (f != 0) TensorPrimitives.MultiplyAdd<double>(a.AsSpan(i * n + r0, rows), f, dst, dst);
                }
            }
            for (int t = 0; t < outCount; t++) tmp.AsSpan(t * rows, rows).CopyTo(a.AsSpan(t * n + r0, rows));
        });

    /// <summary>Copies columns first.. (count) of a column-major block into a row-major [n, count] block.</summary>
    public static void ToRowMajor(double[] a, int first, int count, int n, Span<double> dst)
    {
        for (int t = 0; t < count; t++)
        {
            var col = a.AsSpan((first + t) * n, n);
            for (int r = 0; r < n; r++) dst[r * count + t] = col[r];
        }
    }

    /// <summary>Copies a row-major [n, count] block into columns first.. of a column-major block.</summary>
    public static void FromRowMajor(ReadOnlySpan<double> src, int count, int n, double[] a, int first)
    {
        for (int t = 0; t < count; t++)
        {
            var col = a.AsSpan((first + t) * n, n);
            for (int r = 0; r < n; r++) col[r] = src[r * count + t];
        }
    }
}
