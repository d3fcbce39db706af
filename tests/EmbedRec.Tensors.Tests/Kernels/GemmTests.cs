using EmbedRec.Tensors.Kernels;
using Xunit;

namespace EmbedRec.Tensors.Tests.Kernels;

public class GemmTests
{
    public static TheoryData<int, int, int> Sizes => new()
    {
        { 1, 1, 1 }, { 1, 7, 3 }, { 5, 1, 9 }, { 3, 5, 1 }, { 17, 33, 9 }, { 64, 64, 64 },
        { 97, 131, 259 }, { 130, 70, 300 }, { 9, 400, 35 }, { 200, 3, 70 },
        // Three slices of k (the last partial), B blocks large enough to be packed by every thread, and row and
        // column tails in the 8 × 32 kernel.
        { 43, 150, 1100 },
        // n ≤ 64: tiles meet at most two B panels and read full 8-row A panels in place (a last short panel packed).
        { 203, 64, 300 }, { 61, 40, 1100 },
    };

    private static float[] Reference(bool ta, bool tb, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc)
    {
        var r = (float[])c.Clone();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += (double)(ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
                r[i * ldc + j] = (float)(alpha * s + beta * c[i * ldc + j]);
            }
        return r;
    }

    private static IEnumerable<IBlas> Backends()
    {
        yield return Blas.Managed;
        yield return Blas.SingleThreaded;
        yield return new ManagedBlas(2, allowVector512: false);
        if (Blas.TryNative() is { } native) yield return native;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void EveryBackendMatchesTheReferenceForAllTransposes(int m, int n, int k)
    {
        var rng = new Rng((ulong)(m * 1000 + n * 10 + k));
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
            {
                int lda = (ta ? m : k) + 2, ldb = (tb ? k : n) + 1, ldc = n + 3;
                var a = new float[(ta ? k : m) * lda];
                var b = new float[(tb ? n : k) * ldb];
                var c = new float[m * ldc];
                rng.FillUniform(a, -1, 1); rng.FillUniform(b, -1, 1); rng.FillUniform(c, -1, 1);
                var expected = Reference(ta, tb, m, n, k, 0.75f, a, lda, b, ldb, 0.5f, c, ldc);
                foreach (var blas in Backends())
                {
                    var got = (float[])c.Clone();
                    blas.Sgemm(ta, tb, m, n, k, 0.75f, a, lda, b, ldb, 0.5f, got, ldc);
                    for (int i = 0; i < m; i++)
                        for (int j = 0; j < ldc; j++)
                        {
                            int idx = i * ldc + j;
                            float tol = 1e-4f * (1 + k);
                            Assert.True(MathF.Abs(expected[idx] - got[idx]) <= tol,
                                $"{blas.Description} ta={ta} tb={tb} m={m} n={n} k={k} at ({i},{j}): {expected[idx]} vs {got[idx]}");
                        }
                }
            }
    }

    [Theory]
    [InlineData(203, 517, 1031, false)]
    // Three B panels: one thread packs A for a tile over all three, more threads split the columns into chunks of at
    // most two panels whose tiles read A in place; the bits must be the same either way, with A transposed or not.
    [InlineData(203, 70, 1031, false)]
    [InlineData(203, 70, 1031, true)]
    public void ManagedResultIsTheSameForEveryThreadCount(int m, int n, int k, bool transA)
    {
        // Packing and tiling are split over threads, but every element of C is accumulated by one thread in a fixed
        // order, so the bits must not depend on the thread count.
        var rng = new Rng(11);
        var a = new float[m * k]; var b = new float[k * n];
        rng.FillNormal(a); rng.FillNormal(b);
        float[]? first = null;
        foreach (int threads in new[] { 1, 2, 3, 8 })
        {
            var c = new float[m * n];
            new ManagedBlas(threads).Sgemm(transA, false, m, n, k, 1f, a, transA ? m : k, b, n, 0f, c, n);
            if (first is null) first = c;
            else Assert.True(first.AsSpan().SequenceEqual(c), $"{threads} threads changed the result");
        }
    }

    [NativeBlasFact]
    public void NativeAndManagedAgreeOnLargeShape()
    {
        var native = Blas.TryNative()!;
        var rng = new Rng(3);
        int m = 300, n = 3706, k = 64;
        var a = new float[m * k]; var b = new float[k * n];
        rng.FillNormal(a); rng.FillNormal(b);
        var c1 = new float[m * n]; var c2 = new float[m * n];
        native.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c1, n);
        Blas.Managed.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c2, n);
        GradCheck.Close(c1, c2, 1e-3f, 1e-4f);
    }

    [Fact]
    public void BadArgumentsAreNamed()
    {
        var ex = Assert.Throws<ArgumentException>(() => Blas.Managed.Sgemm(false, false, 2, 2, 2, 1f, new float[3], 2, new float[4], 2, 0f, new float[4], 2));
        Assert.Contains("A needs 4 floats", ex.Message);
        Assert.Throws<ArgumentException>(() => Blas.Managed.Sgemm(false, false, 2, 2, 2, 1f, new float[4], 1, new float[4], 2, 0f, new float[4], 2));
    }

    [Fact]
    public void SelectionHonoursTheEnvironment()
    {
        var choice = Environment.GetEnvironmentVariable("EMBEDREC_BLAS");
        if (choice == "managed") Assert.Equal("managed", Blas.Current.Name);
        else if (choice == "native") Assert.Equal("openblas", Blas.Current.Name);
        else Assert.Equal(Blas.TryNative() is null ? "managed" : "openblas", Blas.Current.Name);
    }
}

/// <summary>A fact that needs the system OpenBLAS: reported as skipped, with the reason, where it cannot be loaded.</summary>
public sealed class NativeBlasFactAttribute : FactAttribute
{
    public NativeBlasFactAttribute()
    {
        if (Blas.TryNative() is null) Skip = $"OpenBLAS is not available ({Blas.NativeUnavailableReason ?? "not found"}); the managed GEMM is checked against the reference instead.";
    }
}
