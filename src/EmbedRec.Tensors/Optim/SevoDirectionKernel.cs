using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EmbedRec.Tensors.Optim;

/// <summary>The scalars of one SEvo-Adam(W) direction step.</summary>
/// <param name="Lr">Learning rate (for the decoupled decay).</param>
/// <param name="Beta1">First-moment decay.</param>
/// <param name="Beta2">Second-moment decay.</param>
/// <param name="WeightDecay">AdamW: decoupled decay; Adam: L2 added to the gradient.</param>
/// <param name="Eps">Denominator term.</param>
/// <param name="Bc1">1 − β₁ᵗ.</param>
/// <param name="SqrtBc2">√(1 − β₂ᵗ).</param>
/// <param name="C1">1/(1 − β₁ˢ), s = max(1, t − 1): the moment correction's first factor.</param>
/// <param name="C2">1/(1 − β₂ˢ).</param>
/// <param name="Decoupled">AdamW (true) or Adam.</param>
/// <param name="Correction">Rows without gradient reuse their bias-corrected moments (SPEC §3.2).</param>
internal readonly record struct SevoStep(float Lr, float Beta1, float Beta2, float WeightDecay, float Eps, float Bc1, float SqrtBc2,
    float C1, float C2, bool Decoupled, bool Correction);

/// <summary>
/// SEvo-Adam(W)'s per-element step before smoothing: the decoupled decay of p, the moment updates (with
/// the correction for rows that received no gradient) and the direction Δ = m/(1−β₁ᵗ) / (√v/√(1−β₂ᵗ) + ε),
/// in one vectorized pass per run of rows (same operation order as the scalar form, no FMA). A row-sparse
/// gradient is walked row by row without a dense copy; long runs of inactive rows are one call.
/// </summary>
internal static class SevoDirectionKernel
{
    private const int ParallelThreshold = 1 << 17;

    /// <summary>
    /// Rows <paramref name="rows"/> (ascending, distinct) carry <paramref name="values"/>; all other rows are inactive.
    /// A listed row whose values are all zero is inactive too.
    /// </summary>
    public static void SparseRows(Span<float> p, ReadOnlySpan<int> rows, ReadOnlySpan<float> values, int width,
        Span<float> m, Span<float> v, Span<float> delta, in SevoStep s)
    {
        int rowCount = p.Length / width;
        int threads = Kernels.Blas.ThreadCount;
        if (p.Length < ParallelThreshold || threads < 2)
        {
            RowsIn(p, rows, values, width, m, v, delta, 0, rowCount, s);
            return;
        }
        unsafe
        {
            fixed (float* pp = p, pvals = values, pm = m, pv = v, pd = delta)
            fixed (int* pr = rows)
            {
                var (ip, ivals, im, iv, id, ir) = ((nint)pp, (nint)pvals, (nint)pm, (nint)pv, (nint)pd, (nint)pr);
                int count = rows.Length, total = p.Length, valueCount = values.Length;
                var step = s;
                int chunk = (rowCount + threads - 1) / threads;
                Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
                {
                    int r0 = t * chunk, r1 = Math.Min(rowCount, r0 + chunk);
                    if (r0 >= r1) return;
                    RowsIn(new Span<float>((float*)ip, total), new ReadOnlySpan<int>((int*)ir, count), new ReadOnlySpan<float>((float*)ivals, valueCount),
                        width, new Span<float>((float*)im, total), new Span<float>((float*)iv, total), new Span<float>((float*)id, total), r0, r1, step);
                });
            }
        }
    }

    /// <summary>A dense gradient (empty: every row inactive); each all-zero row is inactive.</summary>
    public static void Dense(Span<float> p, ReadOnlySpan<float> g, int width, Span<float> m, Span<float> v, Span<float> delta, in SevoStep s)
    {
        if (g.IsEmpty)
        {
            Range(p, default, m, v, delta, s);
            return;
        }
        int rows = p.Length / width;
        for (int r = 0; r < rows; r++)
        {
            var gr = g.Slice(r * width, width);
            bool inactive = TensorPrimitives.MaxMagnitude(gr) == 0f;
            Range(p.Slice(r * width, width), inactive ? default : gr, m.Slice(r * width, width), v.Slice(r * width, width), delta.Slice(r * width, width), s);
        }
    }

    private static void RowsIn(Span<float> p, ReadOnlySpan<int> rows, ReadOnlySpan<float> values, int width,
        Span<float> m, Span<float> v, Span<float> delta, int r0, int r1, in SevoStep s)
    {
        int lo = AdamKernel.LowerBound(rows, r0);
        if (Vector512.IsHardwareAccelerated && width % Vector512<float>.Count == 0)
        {
            // One loop over the rows with the constants in registers (gaps between gradient rows are short).
            var lanes = new Lanes512(s);
            ref float rp = ref MemoryMarshal.GetReference(p);
            ref float rm = ref MemoryMarshal.GetReference(m);
            ref float rv = ref MemoryMarshal.GetReference(v);
            ref float rd = ref MemoryMarshal.GetReference(delta);
            ref float rg = ref MemoryMarshal.GetReference(values);
            int e = lo;
            int next = e < rows.Length ? rows[e] : int.MaxValue;
            for (int r = r0; r < r1; r++)
            {
                nuint off = (nuint)((long)r * width);
                bool active = false;
                nuint goff = 0;
                if (r == next)
                {
                    goff = (nuint)((long)e * width);
                    active = TensorPrimitives.MaxMagnitude(values.Slice(e * width, width)) != 0f;
                    e++;
                    next = e < rows.Length ? rows[e] : int.MaxValue;
                }
                for (int j = 0; j < width; j += Vector512<float>.Count)
                {
                    if (active) lanes.Active(ref rp, ref rm, ref rv, ref rd, off + (nuint)j, Vector512.LoadUnsafe(ref rg, goff + (nuint)j));
                    else lanes.Inactive(ref rp, ref rm, ref rv, ref rd, off + (nuint)j);
                }
            }
            return;
        }
        int nextRow = r0;
        for (int e = lo; e < rows.Length && rows[e] < r1; e++)
        {
            int r = rows[e];
            if (r > nextRow) Range(p[(nextRow * width)..(r * width)], default, m[(nextRow * width)..(r * width)], v[(nextRow * width)..(r * width)], delta[(nextRow * width)..(r * width)], s);
            int off = r * width;
            var gr = values.Slice(e * width, width);
            bool inactive = TensorPrimitives.MaxMagnitude(gr) == 0f;
            Range(p.Slice(off, width), inactive ? default : gr, m.Slice(off, width), v.Slice(off, width), delta.Slice(off, width), s);
            nextRow = r + 1;
        }
        if (nextRow < r1) Range(p[(nextRow * width)..(r1 * width)], default, m[(nextRow * width)..(r1 * width)], v[(nextRow * width)..(r1 * width)], delta[(nextRow * width)..(r1 * width)], s);
    }

    /// <summary>The step's constants in Vector512 registers, for the row walk.</summary>
    private readonly struct Lanes512
    {
        private readonly Vector512<float> _decay, _l2, _b1, _k1, _b2, _k2, _c1, _c2, _bc1, _bc2, _eps;
        private readonly bool _decoupled, _hasL2, _corrected;

        public Lanes512(in SevoStep s)
        {
            _decoupled = s.Decoupled;
            _hasL2 = !s.Decoupled && s.WeightDecay != 0f;
            _corrected = s.Decoupled && s.Correction;
            _decay = Vector512.Create(s.Decoupled ? 1f - s.Lr * s.WeightDecay : 1f);
            _l2 = Vector512.Create(s.Decoupled ? 0f : s.WeightDecay);
            _b1 = Vector512.Create(s.Beta1); _k1 = Vector512.Create(1f - s.Beta1);
            _b2 = Vector512.Create(s.Beta2); _k2 = Vector512.Create(1f - s.Beta2);
            _c1 = Vector512.Create(s.C1); _c2 = Vector512.Create(s.C2);
            _bc1 = Vector512.Create(s.Bc1); _bc2 = Vector512.Create(s.SqrtBc2); _eps = Vector512.Create(s.Eps);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Active(ref float rp, ref float rm, ref float rv, ref float rd, nuint i, Vector512<float> g)
        {
            var pi = Vector512.LoadUnsafe(ref rp, i);
            if (_decoupled) pi *= _decay;
            else if (_hasL2) g += _l2 * pi;
            Finish(ref rp, ref rm, ref rv, ref rd, i, pi, g, g * g);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Inactive(ref float rp, ref float rm, ref float rv, ref float rd, nuint i)
        {
            var pi = Vector512.LoadUnsafe(ref rp, i);
            if (_decoupled) pi *= _decay;
            Vector512<float> g, g2;
            if (_corrected) { g = Vector512.LoadUnsafe(ref rm, i) * _c1; g2 = Vector512.LoadUnsafe(ref rv, i) * _c2; }
            else
            {
                g = _hasL2 ? _l2 * pi : Vector512<float>.Zero;
                g2 = g * g;
            }
            Finish(ref rp, ref rm, ref rv, ref rd, i, pi, g, g2);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Finish(ref float rp, ref float rm, ref float rv, ref float rd, nuint i, Vector512<float> pi, Vector512<float> g, Vector512<float> g2)
        {
            var mi = _b1 * Vector512.LoadUnsafe(ref rm, i) + _k1 * g;
            var vi = _b2 * Vector512.LoadUnsafe(ref rv, i) + _k2 * g2;
            var di = mi / _bc1 / (Vector512.Sqrt(vi) / _bc2 + _eps);
            pi.StoreUnsafe(ref rp, i);
            mi.StoreUnsafe(ref rm, i);
            vi.StoreUnsafe(ref rv, i);
            di.StoreUnsafe(ref rd, i);
        }
    }

    /// <summary>One contiguous range; <paramref name="g"/> empty means the rows are inactive.</summary>
    public static void Range(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, Span<float> delta, in SevoStep s)
    {
        int n = p.Length, i = 0;
        bool active = !g.IsEmpty;
        bool corrected = !active && s.Decoupled && s.Correction;
        float decay = s.Decoupled ? 1f - s.Lr * s.WeightDecay : 1f;
        float l2 = s.Decoupled ? 0f : s.WeightDecay;
        float k1 = 1f - s.Beta1, k2 = 1f - s.Beta2;
        ref float rp = ref MemoryMarshal.GetReference(p);
        ref float rg = ref MemoryMarshal.GetReference(g);
        ref float rm = ref MemoryMarshal.GetReference(m);
        ref float rv = ref MemoryMarshal.GetReference(v);
        ref float rd = ref MemoryMarshal.GetReference(delta);
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
        {
            var lanes = new Lanes512(s);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                if (active) lanes.Active(ref rp, ref rm, ref rv, ref rd, (nuint)i, Vector512.LoadUnsafe(ref rg, (nuint)i));
                else lanes.Inactive(ref rp, ref rm, ref rv, ref rd, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
        {
            var vDecay = Vector256.Create(decay); var vL2 = Vector256.Create(l2);
            var vB1 = Vector256.Create(s.Beta1); var vK1 = Vector256.Create(k1);
            var vB2 = Vector256.Create(s.Beta2); var vK2 = Vector256.Create(k2);
            var vC1 = Vector256.Create(s.C1); var vC2 = Vector256.Create(s.C2);
            var vBc1 = Vector256.Create(s.Bc1); var vBc2 = Vector256.Create(s.SqrtBc2); var vEps = Vector256.Create(s.Eps);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var pi = Vector256.LoadUnsafe(ref rp, (nuint)i);
                var mi = Vector256.LoadUnsafe(ref rm, (nuint)i);
                var vi = Vector256.LoadUnsafe(ref rv, (nuint)i);
                if (s.Decoupled) pi *= vDecay;
                Vector256<float> gj, g2;
                if (corrected) { gj = mi * vC1; g2 = vi * vC2; }
                else
                {
                    gj = active ? Vector256.LoadUnsafe(ref rg, (nuint)i) : Vector256<float>.Zero;
                    if (l2 != 0f) gj += vL2 * pi;
                    g2 = gj * gj;
                }
                mi = vB1 * mi + vK1 * gj;
                vi = vB2 * vi + vK2 * g2;
                var di = mi / vBc1 / (Vector256.Sqrt(vi) / vBc2 + vEps);
                pi.StoreUnsafe(ref rp, (nuint)i);
                mi.StoreUnsafe(ref rm, (nuint)i);
                vi.StoreUnsafe(ref rv, (nuint)i);
                di.StoreUnsafe(ref rd, (nuint)i);
            }
        }
        for (; i < n; i++)
            Scalar(ref Unsafe.Add(ref rp, i), active ? Unsafe.Add(ref rg, i) : 0f, ref Unsafe.Add(ref rm, i), ref Unsafe.Add(ref rv, i), ref Unsafe.Add(ref rd, i),
                corrected, decay, l2, k1, k2, s);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Scalar(ref float p, float g, ref float m, ref float v, ref float d, bool corrected, float decay, float l2, float k1, float k2, in SevoStep s)
    {
        if (s.Decoupled) p *= decay;
        float gj, g2;
        if (corrected) { gj = m * s.C1; g2 = v * s.C2; }
        else
        {
            gj = g;
            if (l2 != 0f) gj += l2 * p;
            g2 = gj * gj;
        }
        m = s.Beta1 * m + k1 * gj;
        v = s.Beta2 * v + k2 * g2;
        d = m / s.Bc1 / (MathF.Sqrt(v) / s.SqrtBc2 + s.Eps);
    }
}
