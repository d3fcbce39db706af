using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EmbedRec.Tensors.Optim;

/// <summary>The scalars of one Adam/AdamW step, shared by every element.</summary>
internal readonly record struct AdamStep(float Lr, float Beta1, float Beta2, float WeightDecay, float Eps, float StepSize, float SqrtBc2, bool Decoupled);

/// <summary>
/// One fused pass of the Adam/AdamW update over p, m and v (PyTorch's operation order, no FMA, so the
/// vector lanes and the scalar tail give the same bits as the plain loop). Large tensors are split
/// across <see cref="Kernels.Blas.ThreadCount"/> threads: the update reads and writes three arrays and is
/// bound by memory bandwidth, which a second core raises. A row-sparse gradient is applied without first
/// scattering it into a dense buffer: the rows between gradient rows take the zero-gradient update.
/// </summary>
internal static class AdamKernel
{
    private const int ParallelThreshold = 1 << 17;

    /// <summary>Dense gradient <paramref name="g"/> (empty: zero gradient everywhere).</summary>
    public static void Dense(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, in AdamStep s)
    {
        int n = p.Length;
        int threads = Kernels.Blas.ThreadCount;
        if (n < ParallelThreshold || threads < 2)
        {
            Range(p, g, m, v, s);
            return;
        }
        unsafe
        {
            fixed (float* pp = p, pg = g, pm = m, pv = v)
            {
                var (ip, ig, im, iv) = ((nint)pp, (nint)pg, (nint)pm, (nint)pv);
                bool hasG = !g.IsEmpty;
                var step = s;
                int chunk = ((n + threads - 1) / threads + 15) & ~15;
                Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
                {
                    int start = t * chunk, len = Math.Min(chunk, n - start);
                    if (len <= 0) return;
                    Range(new Span<float>((float*)ip + start, len), hasG ? new ReadOnlySpan<float>((float*)ig + start, len) : default,
                        new Span<float>((float*)im + start, len), new Span<float>((float*)iv + start, len), step);
                });
            }
        }
    }

    /// <summary>
    /// A row-sparse gradient: coalesced <paramref name="rows"/> (ascending, distinct) with their
    /// <paramref name="width"/>-wide values; every other row gets the zero-gradient update.
    /// </summary>
    public static void SparseRows(Span<float> p, ReadOnlySpan<int> rows, ReadOnlySpan<float> values, int width, Span<float> m, Span<float> v, in AdamStep s)
    {
        int rowCount = p.Length / width;
        int threads = Kernels.Blas.ThreadCount;
        if (p.Length < ParallelThreshold || threads < 2)
        {
            RowsIn(p, rows, values, width, m, v, 0, rowCount, s);
            return;
        }
        unsafe
        {
            fixed (float* pp = p, pvals = values, pm = m, pv = v)
            fixed (int* pr = rows)
            {
                var (ip, ivals, im, iv, ir) = ((nint)pp, (nint)pvals, (nint)pm, (nint)pv, (nint)pr);
                int count = rows.Length, total = p.Length, valueCount = values.Length;
                var step = s;
                int chunk = (rowCount + threads - 1) / threads;
                Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
                {
                    int r0 = t * chunk, r1 = Math.Min(rowCount, r0 + chunk);
                    if (r0 >= r1) return;
                    RowsIn(new Span<float>((float*)ip, total), new ReadOnlySpan<int>((int*)ir, count), new ReadOnlySpan<float>((float*)ivals, valueCount),
                        width, new Span<float>((float*)im, total), new Span<float>((float*)iv, total), r0, r1, step);
                });
            }
        }
    }

    private static void RowsIn(Span<float> p, ReadOnlySpan<int> rows, ReadOnlySpan<float> values, int width, Span<float> m, Span<float> v, int r0, int r1, in AdamStep s)
    {
        int e = LowerBound(rows, r0);
        if (Vector512.IsHardwareAccelerated && width % Vector512<float>.Count == 0)
        {
            // One loop over the rows with the step's constants held in registers: the gaps between gradient
            // rows are short (a few rows), so calling Range per gap and per row would cost more than the update.
            var lanes = new Lanes512(s);
            ref float rp = ref MemoryMarshal.GetReference(p);
            ref float rm = ref MemoryMarshal.GetReference(m);
            ref float rv = ref MemoryMarshal.GetReference(v);
            ref float rg = ref MemoryMarshal.GetReference(values);
            int next = e < rows.Length ? rows[e] : int.MaxValue;
            for (int r = r0; r < r1; r++)
            {
                nuint off = (nuint)((long)r * width);
                if (r == next)
                {
                    nuint goff = (nuint)((long)e * width);
                    for (int j = 0; j < width; j += Vector512<float>.Count)
                        lanes.Step(ref rp, ref rm, ref rv, off + (nuint)j, Vector512.LoadUnsafe(ref rg, goff + (nuint)j));
                    e++;
                    next = e < rows.Length ? rows[e] : int.MaxValue;
                }
                else
                {
                    for (int j = 0; j < width; j += Vector512<float>.Count)
                        lanes.Step(ref rp, ref rm, ref rv, off + (nuint)j, Vector512<float>.Zero);
                }
            }
            return;
        }
        int nextRow = r0;
        for (; e < rows.Length && rows[e] < r1; e++)
        {
            int r = rows[e];
            if (r > nextRow) Range(p[(nextRow * width)..(r * width)], default, m[(nextRow * width)..(r * width)], v[(nextRow * width)..(r * width)], s);
            int off = r * width;
            Range(p.Slice(off, width), values.Slice(e * width, width), m.Slice(off, width), v.Slice(off, width), s);
            nextRow = r + 1;
        }
        if (nextRow < r1) Range(p[(nextRow * width)..(r1 * width)], default, m[(nextRow * width)..(r1 * width)], v[(nextRow * width)..(r1 * width)], s);
    }

    /// <summary>The step's constants in Vector512 registers; <see cref="Step"/> updates 16 elements.</summary>
    private readonly struct Lanes512
    {
        private readonly Vector512<float> _decay, _l2, _b1, _c1, _b2, _c2, _step, _bc, _eps;
        private readonly bool _decoupled, _hasL2;

        public Lanes512(in AdamStep s)
        {
            _decoupled = s.Decoupled;
            _hasL2 = !s.Decoupled && s.WeightDecay != 0f;
            _decay = Vector512.Create(s.Decoupled ? 1f - s.Lr * s.WeightDecay : 1f);
            _l2 = Vector512.Create(s.Decoupled ? 0f : s.WeightDecay);
            _b1 = Vector512.Create(s.Beta1); _c1 = Vector512.Create(1f - s.Beta1);
            _b2 = Vector512.Create(s.Beta2); _c2 = Vector512.Create(1f - s.Beta2);
            _step = Vector512.Create(s.StepSize); _bc = Vector512.Create(s.SqrtBc2); _eps = Vector512.Create(s.Eps);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Step(ref float rp, ref float rm, ref float rv, nuint i, Vector512<float> gi)
        {
            var pi = Vector512.LoadUnsafe(ref rp, i);
            if (_decoupled) pi *= _decay;
            else if (_hasL2) gi += _l2 * pi;
            var mi = _b1 * Vector512.LoadUnsafe(ref rm, i) + _c1 * gi;
            var vi = _b2 * Vector512.LoadUnsafe(ref rv, i) + _c2 * gi * gi;
            pi -= _step * mi / (Vector512.Sqrt(vi) / _bc + _eps);
            mi.StoreUnsafe(ref rm, i);
            vi.StoreUnsafe(ref rv, i);
            pi.StoreUnsafe(ref rp, i);
        }
    }

    /// <summary>First index of <paramref name="sorted"/> whose value is ≥ <paramref name="value"/>.</summary>
    internal static int LowerBound(ReadOnlySpan<int> sorted, int value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < value) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /// <summary>The update on one contiguous range; <paramref name="g"/> empty means a zero gradient.</summary>
    public static void Range(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, in AdamStep s)
    {
        int n = p.Length, i = 0;
        bool hasG = !g.IsEmpty;
        if (hasG && g.Length != n) throw new ArgumentException("Gradient and parameter lengths differ.");
        float decay = s.Decoupled ? 1f - s.Lr * s.WeightDecay : 1f;
        float l2 = s.Decoupled ? 0f : s.WeightDecay;
        float c1 = 1f - s.Beta1, c2 = 1f - s.Beta2;
        ref float rp = ref MemoryMarshal.GetReference(p);
        ref float rg = ref MemoryMarshal.GetReference(g);
        ref float rm = ref MemoryMarshal.GetReference(m);
        ref float rv = ref MemoryMarshal.GetReference(v);
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
        {
            var lanes = new Lanes512(s);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                lanes.Step(ref rp, ref rm, ref rv, (nuint)i, hasG ? Vector512.LoadUnsafe(ref rg, (nuint)i) : Vector512<float>.Zero);
        }
        else if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
        {
            var vDecay = Vector256.Create(decay); var vL2 = Vector256.Create(l2);
            var vB1 = Vector256.Create(s.Beta1); var vC1 = Vector256.Create(c1);
            var vB2 = Vector256.Create(s.Beta2); var vC2 = Vector256.Create(c2);
            var vStep = Vector256.Create(s.StepSize); var vBc = Vector256.Create(s.SqrtBc2); var vEps = Vector256.Create(s.Eps);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var pi = Vector256.LoadUnsafe(ref rp, (nuint)i);
                var gi = hasG ? Vector256.LoadUnsafe(ref rg, (nuint)i) : Vector256<float>.Zero;
                if (s.Decoupled) pi *= vDecay;
                else if (l2 != 0f) gi += vL2 * pi;
                var mi = vB1 * Vector256.LoadUnsafe(ref rm, (nuint)i) + vC1 * gi;
                var vi = vB2 * Vector256.LoadUnsafe(ref rv, (nuint)i) + vC2 * gi * gi;
                pi -= vStep * mi / (Vector256.Sqrt(vi) / vBc + vEps);
                mi.StoreUnsafe(ref rm, (nuint)i);
                vi.StoreUnsafe(ref rv, (nuint)i);
                pi.StoreUnsafe(ref rp, (nuint)i);
            }
        }
        for (; i < n; i++) Scalar(ref Unsafe.Add(ref rp, i), hasG ? Unsafe.Add(ref rg, i) : 0f, ref Unsafe.Add(ref rm, i), ref Unsafe.Add(ref rv, i), decay, l2, c1, c2, s);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Scalar(ref float p, float g, ref float m, ref float v, float decay, float l2, float c1, float c2, in AdamStep s)
    {
        if (s.Decoupled) p *= decay;
        else if (l2 != 0f) g += l2 * p;
        m = s.Beta1 * m + c1 * g;
        v = s.Beta2 * v + c2 * g * g;
        p -= s.StepSize * m / (MathF.Sqrt(v) / s.SqrtBc2 + s.Eps);
    }
}
