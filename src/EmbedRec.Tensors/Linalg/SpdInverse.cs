using System.Runtime.InteropServices;
using EmbedRec.Tensors.Kernels;

namespace EmbedRec.Tensors.Linalg;

/// <summary>
/// In-place inverse of a symmetric positive-definite float matrix (row-major n × n), e.g. the Gram
/// matrix of EASE. With OpenBLAS present it calls LAPACK's Cholesky (spotrf, spotri); otherwise it runs a
/// blocked Gauss–Jordan sweep without pivoting (stable for SPD matrices) whose work is one GEMM of
/// n × n × block per block, so it runs at GEMM speed (2n³ flops).
/// </summary>
public static unsafe class SpdInverse
{
    private const int Block = 256;

    /// <summary>Which implementation <see cref="Invert"/> uses.</summary>
    public static string Backend => Lapack.Value is not null && Blas.Current is NativeOpenBlas or AutoBlas ? "LAPACK spotrf/spotri (OpenBLAS)" : "managed blocked Gauss-Jordan";

    /// <summary>Replaces <paramref name="a"/> by its inverse.</summary>
    /// <exception cref="ArgumentException">The matrix is not positive definite (a pivot is not positive).</exception>
    public static void Invert(Span<float> a, int n, bool forceManaged = false)
    {
        if (n < 0 || a.Length != (long)n * n) throw new ArgumentException($"SpdInverse: {a.Length} values do not form a {n} × {n} matrix.");
        if (n == 0) return;
        if (!forceManaged && Blas.Current is NativeOpenBlas or AutoBlas && Lapack.Value is { } lapack)
        {
            lapack.Invert(a, n);
            return;
        }
        GaussJordan(a, n);
    }

    private static void GaussJordan(Span<float> a, int n)
    {
        int nb = Math.Min(Block, n);
        var c = new float[n * nb];     // column panel A[:, k], block rows zeroed
        var t = new float[nb * n];     // P · A[k, :], block columns zeroed
        var p = new double[nb * nb];
        var pf = new float[nb * nb];
        for (int k0 = 0; k0 < n; k0 += nb)
        {
            int kb = Math.Min(nb, n - k0);
            // P = inverse of the diagonal block, by an unblocked sweep in double.
            for (int i = 0; i < kb; i++)
                for (int j = 0; j < kb; j++) p[i * kb + j] = a[(k0 + i) * n + k0 + j];
            SweepSmall(p, kb, k0);
            for (int i = 0; i < kb * kb; i++) pf[i] = (float)p[i];
            // C = A[:, k-block] with the block rows zeroed; T = P · A[k-block, :] with the block columns zeroed.
            for (int i = 0; i < n; i++)
            {
                var dst = c.AsSpan(i * kb, kb);
                if (i >= k0 && i < k0 + kb) dst.Clear();
                else a.Slice(i * n + k0, kb).CopyTo(dst);
            }
            Blas.Current.Sgemm(false, false, kb, n, kb, 1f, pf.AsSpan(0, kb * kb), kb, a.Slice(k0 * n, kb * n), n, 0f, t.AsSpan(0, kb * n), n);
            for (int i = 0; i < kb; i++) t.AsSpan(i * n + k0, kb).Clear();
            // A −= C · T  (rows and columns of the block are untouched because C and T are zero there).
            Blas.Current.Sgemm(false, false, n, n, kb, -1f, c.AsSpan(0, n * kb), kb, t.AsSpan(0, kb * n), n, 1f, a, n);
            // Column block ← −C·P, row block ← T, diagonal block ← P.
            var cp = new float[n * kb];
            Blas.Current.Sgemm(false, false, n, kb, kb, -1f, c.AsSpan(0, n * kb), kb, pf.AsSpan(0, kb * kb), kb, 0f, cp, kb);
            for (int i = 0; i < n; i++)
            {
                if (i >= k0 && i < k0 + kb) continue;
                cp.AsSpan(i * kb, kb).CopyTo(a.Slice(i * n + k0, kb));
            }
            for (int i = 0; i < kb; i++)
            {
                var row = a.Slice((k0 + i) * n, n);
                t.AsSpan(i * n, n).CopyTo(row);
                pf.AsSpan(i * kb, kb).CopyTo(row.Slice(k0, kb));
            }
        }
    }

    private static void SweepSmall(double[] m, int n, int offset)
    {
        for (int k = 0; k < n; k++)
        {
            double piv = m[k * n + k];
            if (!(piv > 0)) throw new ArgumentException($"SpdInverse: the matrix is not positive definite (pivot {piv:G4} at row {offset + k}).");
            double inv = 1.0 / piv;
            for (int i = 0; i < n; i++)
            {
                if (i == k) continue;
                double f = m[i * n + k] * inv;
                if (f == 0) continue;
                for (int j = 0; j < n; j++) if (j != k) m[i * n + j] -= f * m[k * n + j];
            }
            for (int j = 0; j < n; j++) if (j != k) m[k * n + j] *= inv;
            for (int i = 0; i < n; i++) if (i != k) m[i * n + k] *= -inv;
            m[k * n + k] = inv;
        }
    }

    private static readonly Lazy<LapackFunctions?> Lapack = new(LapackFunctions.TryLoad);

    private sealed class LapackFunctions
    {
        private readonly delegate* unmanaged<byte*, int*, float*, int*, int*, void> _potrf, _potri;

        private LapackFunctions(nint potrf, nint potri)
        {
            _potrf = (delegate* unmanaged<byte*, int*, float*, int*, int*, void>)potrf;
            _potri = (delegate* unmanaged<byte*, int*, float*, int*, int*, void>)potri;
        }

        public static LapackFunctions? TryLoad()
        {
            foreach (var name in NativeOpenBlas.Candidates)
                if (NativeLibrary.TryLoad(name, typeof(SpdInverse).Assembly, null, out var h)
                    && NativeLibrary.TryGetExport(h, "spotrf_", out var f) && NativeLibrary.TryGetExport(h, "spotri_", out var i))
                    return new LapackFunctions(f, i);
            return null;
        }

        public void Invert(Span<float> a, int n)
        {
            // Row-major symmetric = column-major symmetric; LAPACK's "L" is our upper triangle.
            byte uplo = (byte)'L';
            int nn = n, lda = n, info = 0;
            fixed (float* pa = a)
            {
                _potrf(&uplo, &nn, pa, &lda, &info);
                if (info > 0) throw new ArgumentException($"SpdInverse: the matrix is not positive definite (spotrf info {info}).");
                if (info < 0) throw new InvalidOperationException($"spotrf rejected argument {-info}.");
                _potri(&uplo, &nn, pa, &lda, &info);
                if (info != 0) throw new InvalidOperationException($"spotri failed with info {info}.");
            }
            // Mirror the computed (row-major upper) triangle into the lower one.
            for (int i = 0; i < n; i++)
                for (int j = 0; j < i; j++) a[i * n + j] = a[j * n + i];
        }
    }
}
