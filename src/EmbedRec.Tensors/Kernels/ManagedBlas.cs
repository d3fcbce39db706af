using System.Buffers;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EmbedRec.Tensors.Kernels;

/// <summary>
/// A blocked, packed, vectorized and parallel SGEMM in C# (the fallback when OpenBLAS is absent).
/// </summary>
/// <remarks>
/// GotoBLAS/BLIS structure: for each [KC × NC] block of B, pack it into NR-wide panels; split
/// C into tiles of MC rows × a column chunk; each tile packs its [MC × KC] block of A into
/// MR-tall panels and runs the register micro-kernel over (B panel, A panel) pairs, keeping the
/// B panel in L1 and the A block in L2. Micro-kernels: 8×32 with <see cref="Vector512{T}"/>
/// when AVX-512 is accelerated, otherwise 6×16 with <see cref="Vector256{T}"/> FMA. Every
/// element of C is accumulated by one thread in a fixed order, so results are deterministic. A tile that meets at
/// most two B panels (n ≤ 64, as in weight gradients and output layers, or a column chunk that narrow when threads
/// split the columns) skips packing A and reads its 8-row panels in place.
/// Small products skip packing and use <see cref="TensorPrimitives"/> row kernels.
/// </remarks>
public sealed unsafe class ManagedBlas : IBlas
{
    // KC 512 rather than 256: the C tile is read and written once per KC slice of k, and on this machine's 2048³ product
    // halving those passes gained more (1 thread ~180 → ~205 GFLOP/s, 2 threads ~305 → ~345, best-of-6 medians) than
    // the 32-wide B micro-panel outgrowing L1 (64 KB) cost; 384 and 768 measured between (docs/engine.md).
    private const int KC = 512;
    private const int MC = 96;
    private const int NC = 4096;
    /// <summary>Bumped whenever the kernel's speed changes, so that cached calibrations (<see cref="BlasCalibrationKey"/>) are measured again.</summary>
    public const int Revision = 3;

    private const long SmallWork = 48 * 48 * 48;
    private const long ParallelPackWork = 64 * 1024;

    private readonly bool _wide;
    private readonly int _mr, _nr;

    /// <summary>Creates the backend with a fixed thread count.</summary>
    public ManagedBlas(int threads, bool allowVector512 = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Threads = threads;
        _wide = allowVector512 && Vector512.IsHardwareAccelerated;
        (_mr, _nr) = _wide ? (8, 32) : (6, 16);
    }

    /// <inheritdoc />
    public string Name => "managed";

    /// <inheritdoc />
    public int Threads { get; }

    /// <summary>The micro-kernel in use, e.g. "Vector512 8x32".</summary>
    public string Kernel => _wide ? "Vector512 8x32" : $"Vector256{(Vector256.IsHardwareAccelerated ? "" : " (emulated)")} 6x16";

    /// <inheritdoc />
    public string Description => $"managed C# GEMM ({Kernel}), {Threads} threads";

    /// <inheritdoc />
    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        GemmArgs.Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        GemmArgs.ScaleC(m, n, beta, c, ldc);
        if (k == 0 || alpha == 0f) return;
        if ((long)m * n * k <= SmallWork || m < 4)
        {
            Small(transA, transB, m, n, k, alpha, a, lda, b, ldb, c, ldc);
            return;
        }
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            Blocked(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, pc, ldc);
        }
    }

    private static void Small(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc)
    {
        float[]? rented = null;
        Span<float> arow = k <= 512 ? stackalloc float[k] : (rented = ArrayPool<float>.Shared.Rent(k)).AsSpan(0, k);
        for (int i = 0; i < m; i++)
        {
            if (transA) for (int p = 0; p < k; p++) arow[p] = a[p * lda + i];
            else a.Slice(i * lda, k).CopyTo(arow);
            var crow = c.Slice(i * ldc, n);
            if (transB)
            {
                for (int j = 0; j < n; j++) crow[j] += alpha * TensorPrimitives.Dot(arow, b.Slice(j * ldb, k));
            }
            else
            {
                for (int p = 0; p < k; p++)
                {
                    float s = alpha * arow[p];
                    if (s != 0f) TensorPrimitives.MultiplyAdd(b.Slice(p * ldb, n), s, crow, crow);
                }
            }
        }
        if (rented is not null) ArrayPool<float>.Shared.Return(rented);
    }

    private void Blocked(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float* c, int ldc)
    {
        int mr = _mr, nr = _nr;
        int ncMax = Math.Min(NC, n);
        int kcMax = Math.Min(KC, k);
        int bPanelsMax = (ncMax + nr - 1) / nr;
        float[] bPack = ArrayPool<float>.Shared.Rent(bPanelsMax * kcMax * nr);
        try
        {
            for (int jc = 0; jc < n; jc += NC)
            {
                int nc = Math.Min(NC, n - jc);
                int bPanels = (nc + nr - 1) / nr;
                for (int pc = 0; pc < k; pc += KC)
                {
                    int kc = Math.Min(KC, k - pc);
                    fixed (float* bp = bPack)
                    {
                        if (Threads == 1 || (long)kc * nc < ParallelPackWork) PackB(transB, b, ldb, pc, kc, 0, bPanels, jc, nc, nr, bp);
                        else
                        {
                            // Large blocks of B are packed by every thread (a serial pack left the other threads idle
                            // for about a tenth of a 2048³ product); each panel is written by one thread, so the
                            // packed block is the same whatever the thread count.
                            float* bpp = bp;
                            int per = (bPanels + Threads - 1) / Threads;
                            Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads },
                                t => PackB(transB, b, ldb, pc, kc, t * per, Math.Min(bPanels, (t + 1) * per), jc, nc, nr, bpp));
                        }
                    }
                    int mBlocks = (m + MC - 1) / MC;
                    // Column chunks: enough tiles to keep every thread busy, each a whole number of panels.
                    int chunks = Math.Max(1, Math.Min(bPanels, (2 * Threads + mBlocks - 1) / mBlocks));
                    int panelsPerChunk = (bPanels + chunks - 1) / chunks;
                    chunks = (bPanels + panelsPerChunk - 1) / panelsPerChunk;
                    int tiles = mBlocks * chunks;
                    var job = new TileJob(this, transA, a, lda, c, ldc, m, alpha, pc, kc, jc, nc, bPack, panelsPerChunk, chunks);
                    if (Threads == 1 || tiles == 1)
                    {
                        float[] aPack = ArrayPool<float>.Shared.Rent(MC * kc);
                        for (int t = 0; t < tiles; t++) job.Run(t, aPack);
                        ArrayPool<float>.Shared.Return(aPack);
                    }
                    else
                    {
                        Parallel.For(0, tiles, new ParallelOptions { MaxDegreeOfParallelism = Threads },
                            () => ArrayPool<float>.Shared.Rent(MC * KC),
                            (t, _, buf) => { job.Run(t, buf); return buf; },
                            buf => ArrayPool<float>.Shared.Return(buf));
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(bPack);
        }
    }

    private sealed class TileJob(ManagedBlas owner, bool transA, float* a, int lda, float* c, int ldc, int m, float alpha,
        int pc, int kc, int jc, int nc, float[] bPack, int panelsPerChunk, int chunks)
    {
        public void Run(int tile, float[] aPack)
        {
            int mr = owner._mr, nr = owner._nr;
            int ib = tile / chunks, chunk = tile % chunks;
            int ic = ib * MC;
            int mc = Math.Min(MC, m - ic);
            int aPanels = (mc + mr - 1) / mr;
            int bPanels = (nc + nr - 1) / nr;
            int p0 = chunk * panelsPerChunk, p1 = Math.Min(bPanels, p0 + panelsPerChunk);
            float* tmp = stackalloc float[8 * 32];
            // A tile that meets at most two B panels uses each element of its A block at most twice, so packing the
            // block (a read and a write of all of it) costs about as much as the arithmetic: the 8 × 32 kernel then
            // reads full 8-row A panels where they are (the weight-gradient and output-layer products of the
            // sequential models, k or m in the thousands and n = d = 64). Only a last, shorter panel is packed.
            bool direct = owner._wide && p1 - p0 <= 2;
            fixed (float* ap = aPack)
            fixed (float* bp = bPack)
            {
                if (!direct) PackA(transA, a, lda, ic, mc, pc, kc, mr, ap);
                else if (mc % mr != 0) PackA(transA, a, lda, ic + (aPanels - 1) * mr, mc % mr, pc, kc, mr, ap);
                for (int jp = p0; jp < p1; jp++)
                {
                    int j = jc + jp * nr;
                    int nv = Math.Min(nr, jc + nc - j);
                    float* bpanel = bp + (long)jp * kc * nr;
                    for (int ip = 0; ip < aPanels; ip++)
                    {
                        int i = ic + ip * mr;
                        int mv = Math.Min(mr, m - i);
                        float* cij = c + (long)i * ldc + j;
                        if (direct && mv == mr)
                        {
                            if (transA) Kernel8x32(kc, a + (long)pc * lda + i, lda, bpanel, cij, ldc, alpha, mv, nv, tmp);
                            else Kernel8x32Rows(kc, a + (long)i * lda + pc, lda, bpanel, cij, ldc, alpha, mv, nv, tmp);
                            continue;
                        }
                        float* apanel = direct ? ap : ap + (long)ip * kc * mr;
                        if (owner._wide) Kernel8x32(kc, apanel, mr, bpanel, cij, ldc, alpha, mv, nv, tmp);
                        else Kernel6x16(kc, apanel, bpanel, cij, ldc, alpha, mv, nv, tmp);
                    }
                }
            }
        }
    }

    /// <summary>Packs panels [<paramref name="p0"/>, <paramref name="p1"/>) of the [kc × nc] block of B at (pc, jc).</summary>
    private static void PackB(bool transB, float* b, int ldb, int pc, int kc, int p0, int p1, int jc, int nc, int nr, float* dst)
    {
        for (int jp = p0; jp < p1; jp++)
        {
            int j0 = jc + jp * nr;
            int w = Math.Min(nr, jc + nc - j0);
            float* d = dst + (long)jp * kc * nr;
            if (!transB && w == 32 && nr == 32 && Vector512.IsHardwareAccelerated)
            {
                // A full 32-wide panel row is two registers; a span copy per row was a call to memmove each.
                for (int p = 0; p < kc; p++)
                {
                    float* src = b + (long)(pc + p) * ldb + j0;
                    Vector512.Load(src).Store(d + p * 32);
                    Vector512.Load(src + 16).Store(d + p * 32 + 16);
                }
            }
            else if (transB && w == nr && nr % 8 == 0 && Avx.IsSupported)
            {
                // B read transposed: 8 of its rows at a time become 8 columns of the panel by register transposes.
                for (int jj = 0; jj < nr; jj += 8) Transpose8Rows(b + (long)(j0 + jj) * ldb + pc, ldb, kc, d + jj, nr);
            }
            else if (!transB)
            {
                for (int p = 0; p < kc; p++)
                {
                    float* src = b + (long)(pc + p) * ldb + j0;
                    float* row = d + p * nr;
                    new ReadOnlySpan<float>(src, w).CopyTo(new Span<float>(row, w));
                    for (int jj = w; jj < nr; jj++) row[jj] = 0f;
                }
            }
            else
            {
                for (int jj = 0; jj < w; jj++)
                {
                    float* src = b + (long)(j0 + jj) * ldb + pc;
                    for (int p = 0; p < kc; p++) d[p * nr + jj] = src[p];
                }
                for (int jj = w; jj < nr; jj++)
                    for (int p = 0; p < kc; p++) d[p * nr + jj] = 0f;
            }
        }
    }

    private static void PackA(bool transA, float* a, int lda, int ic, int mc, int pc, int kc, int mr, float* dst)
    {
        int panels = (mc + mr - 1) / mr;
        for (int ip = 0; ip < panels; ip++)
        {
            int i0 = ic + ip * mr;
            int h = Math.Min(mr, ic + mc - i0);
            float* d = dst + (long)ip * kc * mr;
            if (h == 8 && mr == 8 && Avx.IsSupported)
            {
                if (!transA) Transpose8Rows(a + (long)i0 * lda + pc, lda, kc, d, 8);
                else for (int p = 0; p < kc; p++) Vector256.Load(a + (long)(pc + p) * lda + i0).Store(d + p * 8);
                continue;
            }
            if (!transA)
            {
                for (int r = 0; r < h; r++)
                {
                    float* src = a + (long)(i0 + r) * lda + pc;
                    for (int p = 0; p < kc; p++) d[p * mr + r] = src[p];
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    float* src = a + (long)(pc + p) * lda + i0;
                    for (int r = 0; r < h; r++) d[p * mr + r] = src[r];
                }
            }
            for (int r = h; r < mr; r++)
                for (int p = 0; p < kc; p++) d[p * mr + r] = 0f;
        }
    }

    /// <summary>Writes 8 full rows of a row-major matrix (kc columns from <paramref name="src"/>, row stride
    /// <paramref name="lda"/>) as columns: d[p·<paramref name="stride"/> + r] = M[r, p], by 8 × 8 register transposes.
    /// Packs an 8-tall panel of A (stride 8) and 8 columns of a B panel read transposed (stride nr).</summary>
    private static void Transpose8Rows(float* src, int lda, int kc, float* d, int stride)
    {
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            float* s = src + p;
            var r0 = Vector256.Load(s); var r1 = Vector256.Load(s + lda);
            var r2 = Vector256.Load(s + 2L * lda); var r3 = Vector256.Load(s + 3L * lda);
            var r4 = Vector256.Load(s + 4L * lda); var r5 = Vector256.Load(s + 5L * lda);
            var r6 = Vector256.Load(s + 6L * lda); var r7 = Vector256.Load(s + 7L * lda);
            // Interleave pairs of rows, then pairs of pairs, then swap 128-bit halves: the classic 8 × 8 transpose.
            var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
            var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
            var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
            var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
            var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
            var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
            var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
            var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
            float* o = d + (long)p * stride;
            Avx.Permute2x128(u0, u4, 0x20).Store(o); Avx.Permute2x128(u1, u5, 0x20).Store(o + stride);
            Avx.Permute2x128(u2, u6, 0x20).Store(o + 2 * stride); Avx.Permute2x128(u3, u7, 0x20).Store(o + 3 * stride);
            Avx.Permute2x128(u0, u4, 0x31).Store(o + 4 * stride); Avx.Permute2x128(u1, u5, 0x31).Store(o + 5 * stride);
            Avx.Permute2x128(u2, u6, 0x31).Store(o + 6 * stride); Avx.Permute2x128(u3, u7, 0x31).Store(o + 7 * stride);
        }
        for (; p < kc; p++)
            for (int r = 0; r < 8; r++) d[(long)p * stride + r] = src[(long)r * lda + p];
    }

    /// <summary>
    /// The 8 × 32 register kernel: C[8 × 32] += alpha · Σₚ a(p) ⊗ B panel row p, where a(p) is the 8 values at
    /// <paramref name="a"/> + p·<paramref name="aStep"/> (8 for a packed panel, lda for A read transposed in place).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel8x32(int kc, float* a, int aStep, float* b, float* c, int ldc, float alpha, int mv, int nv, float* tmp)
    {
        PrefetchTile(c, ldc, mv);
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default,
            c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            if (Sse.IsSupported) Sse.Prefetch0(a + 8L * aStep); // the A panel streams from L2: ask 8 steps ahead
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var x = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[1]); c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[2]); c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[3]); c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a[4]); c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a[5]); c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a[6]); c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a[7]); c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
            a += aStep;
            b += 32;
        }
        Finish8x32(c, ldc, alpha, mv, nv, tmp, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71);
    }

    /// <summary>
    /// The 8 × 32 kernel for 8 full rows of A read in place (row stride <paramref name="lda"/>, k contiguous): the same
    /// arithmetic in the same order as <see cref="Kernel8x32"/> on the packed panel, so results are identical.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel8x32Rows(int kc, float* a, int lda, float* b, float* c, int ldc, float alpha, int mv, int nv, float* tmp)
    {
        PrefetchTile(c, ldc, mv);
        float* a0 = a, a1 = a + lda, a2 = a + 2L * lda, a3 = a + 3L * lda, a4 = a + 4L * lda, a5 = a + 5L * lda,
            a6 = a + 6L * lda, a7 = a + 7L * lda;
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default,
            c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var x = Vector512.Create(a0[p]); c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a1[p]); c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a2[p]); c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a3[p]); c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a4[p]); c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a5[p]); c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a6[p]); c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a7[p]); c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
            b += 32;
        }
        Finish8x32(c, ldc, alpha, mv, nv, tmp, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71);
    }

    /// <summary>
    /// The C tile is read once, after kc steps of FMAs: ask for its lines now so the final update does not wait on
    /// memory (C is the one operand that is not packed into cache-sized blocks).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchTile(float* c, int ldc, int mv)
    {
        if (!Sse.IsSupported) return;
        for (int r = 0; r < mv; r++) { Sse.Prefetch0(c + (long)r * ldc); Sse.Prefetch0(c + (long)r * ldc + 16); }
    }

    /// <summary>C tile += alpha · accumulators (all 8 × 32 at once, or through <paramref name="tmp"/> for an edge tile).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish8x32(float* c, int ldc, float alpha, int mv, int nv, float* tmp,
        Vector512<float> c00, Vector512<float> c01, Vector512<float> c10, Vector512<float> c11,
        Vector512<float> c20, Vector512<float> c21, Vector512<float> c30, Vector512<float> c31,
        Vector512<float> c40, Vector512<float> c41, Vector512<float> c50, Vector512<float> c51,
        Vector512<float> c60, Vector512<float> c61, Vector512<float> c70, Vector512<float> c71)
    {
        var va = Vector512.Create(alpha);
        if (mv == 8 && nv == 32)
        {
            Store512(c, va, c00, c01); Store512(c + ldc, va, c10, c11);
            Store512(c + 2 * ldc, va, c20, c21); Store512(c + 3 * ldc, va, c30, c31);
            Store512(c + 4 * ldc, va, c40, c41); Store512(c + 5 * ldc, va, c50, c51);
            Store512(c + 6 * ldc, va, c60, c61); Store512(c + 7 * ldc, va, c70, c71);
            return;
        }
        c00.Store(tmp); c01.Store(tmp + 16); c10.Store(tmp + 32); c11.Store(tmp + 48);
        c20.Store(tmp + 64); c21.Store(tmp + 80); c30.Store(tmp + 96); c31.Store(tmp + 112);
        c40.Store(tmp + 128); c41.Store(tmp + 144); c50.Store(tmp + 160); c51.Store(tmp + 176);
        c60.Store(tmp + 192); c61.Store(tmp + 208); c70.Store(tmp + 224); c71.Store(tmp + 240);
        for (int r = 0; r < mv; r++)
            for (int j = 0; j < nv; j++) c[(long)r * ldc + j] += alpha * tmp[r * 32 + j];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(float* c, Vector512<float> alpha, Vector512<float> v0, Vector512<float> v1)
    {
        Vector512.FusedMultiplyAdd(v0, alpha, Vector512.Load(c)).Store(c);
        Vector512.FusedMultiplyAdd(v1, alpha, Vector512.Load(c + 16)).Store(c + 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x16(int kc, float* a, float* b, float* c, int ldc, float alpha, int mv, int nv, float* tmp)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var x = Vector256.Create(a[0]); c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a[1]); c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a[2]); c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a[3]); c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            x = Vector256.Create(a[4]); c40 = Vector256.FusedMultiplyAdd(x, b0, c40); c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            x = Vector256.Create(a[5]); c50 = Vector256.FusedMultiplyAdd(x, b0, c50); c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
            a += 6;
            b += 16;
        }
        c00.Store(tmp); c01.Store(tmp + 8); c10.Store(tmp + 16); c11.Store(tmp + 24);
        c20.Store(tmp + 32); c21.Store(tmp + 40); c30.Store(tmp + 48); c31.Store(tmp + 56);
        c40.Store(tmp + 64); c41.Store(tmp + 72); c50.Store(tmp + 80); c51.Store(tmp + 88);
        for (int r = 0; r < mv; r++)
            for (int j = 0; j < nv; j++) c[(long)r * ldc + j] += alpha * tmp[r * 16 + j];
    }
}
