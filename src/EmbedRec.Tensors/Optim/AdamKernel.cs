using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EmbedRec.Tensors.Optim;

/// <summary>The scalars of one Adam/AdamW step, shared by every element.</summary>
/// <param name="Lr">Learning rate (for the decoupled decay).</param>
/// <param name="Beta1">First-moment decay.</param>
/// <param name="Beta2">Second-moment decay.</param>
/// <param name="WeightDecay">AdamW: decoupled decay; Adam: L2 added to the gradient.</param>
/// <param name="Eps">Denominator term.</param>
/// <param name="StepSize">lr/(1 − β₁ᵗ), the applied update's factor.</param>
/// <param name="SqrtBc2">√(1 − β₂ᵗ).</param>
/// <param name="Decoupled">AdamW (true) or Adam.</param>
/// <param name="Bc1">1 − β₁ᵗ (the direction's bias correction).</param>
/// <param name="C1">1/(1 − β₁ˢ), s = max(1, t − 1): the moment correction's first factor (SEvo, SPEC §3.2).</param>
/// <param name="C2">1/(1 − β₂ˢ).</param>
/// <param name="Correction">Rows without gradient reuse their bias-corrected moments (AdamW directions only).</param>
internal readonly record struct AdamStep(float Lr, float Beta1, float Beta2, float WeightDecay, float Eps, float StepSize, float SqrtBc2, bool Decoupled,
    float Bc1 = 1f, float C1 = 1f, float C2 = 1f, bool Correction = false);

/// <summary>What an Adam kernel pass produces: the applied update, or the update direction for SEvo.</summary>
internal interface IAdamMode;

/// <summary>p ← p − lr/(1−β₁ᵗ)·m/(√v/√(1−β₂ᵗ) + ε): the plain Adam/AdamW update (PyTorch's operation order).</summary>
internal readonly struct ApplyMode : IAdamMode;

/// <summary>
/// Δ = m/(1−β₁ᵗ) / (√v/√(1−β₂ᵗ) + ε) written to a direction buffer, p only decayed: what SEvo smooths. Rows whose
/// gradient is all zero are inactive and, with the correction, use ĝ = m/(1−β₁ˢ), ĝ² = v/(1−β₂ˢ) (SPEC §3.2).
/// </summary>
internal readonly struct DirectionMode : IAdamMode;

/// <summary>
/// One fused pass of Adam/AdamW over p, m and v, either applying the update (<see cref="ApplyMode"/>) or writing
/// SEvo's direction (<see cref="DirectionMode"/>): the row walk, threading, sparse-row handling and the vector
/// lanes are shared, the mode is a type parameter the JIT specializes away. No FMA, so the vector lanes and the
/// scalar tail give the same bits as the plain loop; each mode keeps the operation order it always had. Large
/// tensors are split across <see cref="Kernels.Blas.ThreadCount"/> threads (the pass is bound by memory
/// bandwidth, which a second core raises). A row-sparse gradient is applied without a dense scatter: the rows
/// between gradient rows take the zero-gradient (inactive) step.
/// </summary>
internal static class AdamKernel
{
    private const int ParallelThreshold = 1 << 17;

    private static bool Direction<TMode>() where TMode : struct, IAdamMode => typeof(TMode) == typeof(DirectionMode);

    /// <summary>
    /// A dense gradient <paramref name="g"/> (empty: zero gradient everywhere). In direction mode each all-zero row of
    /// <paramref name="width"/> is inactive; <paramref name="d"/> receives the direction (unused when applying).
    /// </summary>
    public static void Dense<TMode>(Span<float> p, ReadOnlySpan<float> g, int width, Span<float> m, Span<float> v, Span<float> d, in AdamStep s)
        where TMode : struct, IAdamMode
    {
        if (Direction<TMode>() && !g.IsEmpty)
        {
            int rows = p.Length / width;
            for (int r = 0; r < rows; r++)
            {
                var gr = g.Slice(r * width, width);
                bool inactive = TensorPrimitives.MaxMagnitude(gr) == 0f;
                Range<TMode>(p.Slice(r * width, width), inactive ? default : gr, m.Slice(r * width, width), v.Slice(r * width, width), d.Slice(r * width, width), s);
            }
            return;
        }
        int n = p.Length;
        int threads = Kernels.Blas.ThreadCount;
        if (n < ParallelThreshold || threads < 2)
        {
            Range<TMode>(p, g, m, v, d, s);
            return;
        }
        unsafe
        {
            fixed (float* pp = p, pg = g, pm = m, pv = v, pd = d)
            {
                var (ip, ig, im, iv, id) = ((nint)pp, (nint)pg, (nint)pm, (nint)pv, (nint)pd);
                bool hasG = !g.IsEmpty, hasD = !d.IsEmpty;
                var step = s;
                int chunk = ((n + threads - 1) / threads + 15) & ~15;
                Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
                {
                    int start = t * chunk, len = Math.Min(chunk, n - start);
                    if (len <= 0) return;
                    Range<TMode>(new Span<float>((float*)ip + start, len), hasG ? new ReadOnlySpan<float>((float*)ig + start, len) : default,
                        new Span<float>((float*)im + start, len), new Span<float>((float*)iv + start, len),
                        hasD ? new Span<float>((float*)id + start, len) : default, step);
                });
            }
        }
    }

    /// <summary>
    /// A row-sparse gradient: coalesced <paramref name="rows"/> (ascending, distinct) with their <paramref name="width"/>-wide
    /// values; every other row is inactive (in direction mode, a listed all-zero row too).
    /// </summary>
    public static void SparseRows<TMode>(Span<float> p, ReadOnlySpan<int> rows, ReadOnlySpan<float> values, int width,
        Span<float> m, Span<float> v, Span<float> d, in AdamStep s) where TMode : struct, IAdamMode
    {
        int rowCount = p.Length / width;
        int threads = Kernels.Blas.ThreadCount;
        if (p.Length < ParallelThreshold || threads < 2)
        {
            RowsIn<TMode>(p, rows, values, width, m, v, d, 0, rowCount, s);
            return;
        }
        unsafe
        {
            fixed (float* pp = p, pvals = values, pm = m, pv = v, pd = d)
            fixed (int* pr = rows)
            {
                var (ip, ivals, im, iv, id, ir) = ((nint)pp, (nint)pvals, (nint)pm, (nint)pv, (nint)pd, (nint)pr);
                int count = rows.Length, total = p.Length, valueCount = values.Length, dLength = d.Length;
                var step = s;
                int chunk = (rowCount + threads - 1) / threads;
                Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
                {
                    int r0 = t * chunk, r1 = Math.Min(rowCount, r0 + chunk);
                    if (r0 >= r1) return;
                    RowsIn<TMode>(new Span<float>((float*)ip, total), new ReadOnlySpan<int>((int*)ir, count), new ReadOnlySpan<float>((float*)ivals, valueCount),
                        width, new Span<float>((float*)im, total), new Span<float>((float*)iv, total), new Span<float>((float*)id, dLength), r0, r1, step);
                });
            }
        }
    }

    private static void RowsIn<TMode>(Span<float> p, ReadOnlySpan<int> rows, ReadOnlySpan<float> values, int width,
        Span<float> m, Span<float> v, Span<float> d, int r0, int r1, in AdamStep s) where TMode : struct, IAdamMode
    {
        int e = LowerBound(rows, r0);
        if (Vector512.IsHardwareAccelerated && width % Vector512<float>.Count == 0)
        {
            // One loop over the rows with the step's constants held in registers: the gaps between gradient
            // rows are short (a few rows), so calling Range per gap and per row would cost more than the update.
            var lanes = new Lanes512<TMode>(s);
            ref float rp = ref MemoryMarshal.GetReference(p);
            ref float rm = ref MemoryMarshal.GetReference(m);
            ref float rv = ref MemoryMarshal.GetReference(v);
            ref float rd = ref MemoryMarshal.GetReference(d);
            ref float rg = ref MemoryMarshal.GetReference(values);
            int next = e < rows.Length ? rows[e] : int.MaxValue;
            for (int r = r0; r < r1; r++)
            {
                nuint off = (nuint)((long)r * width);
                bool active = false;
                nuint goff = 0;
                if (r == next)
                {
                    goff = (nuint)((long)e * width);
                    active = !Direction<TMode>() || TensorPrimitives.MaxMagnitude(values.Slice(e * width, width)) != 0f;
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
        for (; e < rows.Length && rows[e] < r1; e++)
        {
            int r = rows[e];
            if (r > nextRow) Range<TMode>(p[(nextRow * width)..(r * width)], default, m[(nextRow * width)..(r * width)], v[(nextRow * width)..(r * width)], Part(d, nextRow * width, (r - nextRow) * width), s);
            int off = r * width;
            var gr = values.Slice(e * width, width);
            bool inactive = Direction<TMode>() && TensorPrimitives.MaxMagnitude(gr) == 0f;
            Range<TMode>(p.Slice(off, width), inactive ? default : gr, m.Slice(off, width), v.Slice(off, width), Part(d, off, width), s);
            nextRow = r + 1;
        }
        if (nextRow < r1) Range<TMode>(p[(nextRow * width)..(r1 * width)], default, m[(nextRow * width)..(r1 * width)], v[(nextRow * width)..(r1 * width)], Part(d, nextRow * width, (r1 - nextRow) * width), s);
    }

    private static Span<float> Part(Span<float> d, int start, int length) => d.IsEmpty ? default : d.Slice(start, length);

    /// <summary>The step's constants in Vector512 registers; <see cref="Active"/> and <see cref="Inactive"/> update 16 elements.</summary>
    private readonly struct Lanes512<TMode> where TMode : struct, IAdamMode
    {
        private readonly Vector512<float> _decay, _l2, _b1, _c1, _b2, _c2, _step, _bc, _eps, _bc1, _m1, _m2;
        private readonly bool _decoupled, _hasL2, _corrected;

        public Lanes512(in AdamStep s)
        {
            _decoupled = s.Decoupled;
            _hasL2 = !s.Decoupled && s.WeightDecay != 0f;
            _corrected = s.Decoupled && s.Correction;
            _decay = Vector512.Create(s.Decoupled ? 1f - s.Lr * s.WeightDecay : 1f);
            _l2 = Vector512.Create(s.Decoupled ? 0f : s.WeightDecay);
            _b1 = Vector512.Create(s.Beta1); _c1 = Vector512.Create(1f - s.Beta1);
            _b2 = Vector512.Create(s.Beta2); _c2 = Vector512.Create(1f - s.Beta2);
            _step = Vector512.Create(s.StepSize); _bc = Vector512.Create(s.SqrtBc2); _eps = Vector512.Create(s.Eps);
            _bc1 = Vector512.Create(s.Bc1); _m1 = Vector512.Create(s.C1); _m2 = Vector512.Create(s.C2);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Active(ref float rp, ref float rm, ref float rv, ref float rd, nuint i, Vector512<float> g)
        {
            var pi = Vector512.LoadUnsafe(ref rp, i);
            if (_decoupled) pi *= _decay;
            else if (_hasL2) g += _l2 * pi;
            var mi = _b1 * Vector512.LoadUnsafe(ref rm, i) + _c1 * g;
            if (Direction<TMode>()) Finish(ref rp, ref rm, ref rv, ref rd, i, pi, mi, _b2 * Vector512.LoadUnsafe(ref rv, i) + _c2 * (g * g));
            else Finish(ref rp, ref rm, ref rv, ref rd, i, pi, mi, _b2 * Vector512.LoadUnsafe(ref rv, i) + _c2 * g * g);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Inactive(ref float rp, ref float rm, ref float rv, ref float rd, nuint i)
        {
            if (!Direction<TMode>() || !_corrected)
            {
                Active(ref rp, ref rm, ref rv, ref rd, i, Vector512<float>.Zero);
                return;
            }
            var pi = Vector512.LoadUnsafe(ref rp, i) * _decay;
            var m = Vector512.LoadUnsafe(ref rm, i);
            var v = Vector512.LoadUnsafe(ref rv, i);
            Finish(ref rp, ref rm, ref rv, ref rd, i, pi, _b1 * m + _c1 * (m * _m1), _b2 * v + _c2 * (v * _m2));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Finish(ref float rp, ref float rm, ref float rv, ref float rd, nuint i, Vector512<float> pi, Vector512<float> mi, Vector512<float> vi)
        {
            if (Direction<TMode>())
            {
                var di = mi / _bc1 / (Vector512.Sqrt(vi) / _bc + _eps);
                di.StoreUnsafe(ref rd, i);
            }
            else pi -= _step * mi / (Vector512.Sqrt(vi) / _bc + _eps);
            mi.StoreUnsafe(ref rm, i);
            vi.StoreUnsafe(ref rv, i);
            pi.StoreUnsafe(ref rp, i);
        }
    }

    /// <summary>The step's constants in Vector256 registers (machines without AVX-512).</summary>
    private readonly struct Lanes256<TMode> where TMode : struct, IAdamMode
    {
        private readonly Vector256<float> _decay, _l2, _b1, _c1, _b2, _c2, _step, _bc, _eps, _bc1, _m1, _m2;
        private readonly bool _decoupled, _hasL2, _corrected;

        public Lanes256(in AdamStep s)
        {
            _decoupled = s.Decoupled;
            _hasL2 = !s.Decoupled && s.WeightDecay != 0f;
            _corrected = s.Decoupled && s.Correction;
            _decay = Vector256.Create(s.Decoupled ? 1f - s.Lr * s.WeightDecay : 1f);
            _l2 = Vector256.Create(s.Decoupled ? 0f : s.WeightDecay);
            _b1 = Vector256.Create(s.Beta1); _c1 = Vector256.Create(1f - s.Beta1);
            _b2 = Vector256.Create(s.Beta2); _c2 = Vector256.Create(1f - s.Beta2);
            _step = Vector256.Create(s.StepSize); _bc = Vector256.Create(s.SqrtBc2); _eps = Vector256.Create(s.Eps);
            _bc1 = Vector256.Create(s.Bc1); _m1 = Vector256.Create(s.C1); _m2 = Vector256.Create(s.C2);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Step(ref float rp, ref float rm, ref float rv, ref float rd, nuint i, Vector256<float> g, bool active)
        {
            var pi = Vector256.LoadUnsafe(ref rp, i);
            var m = Vector256.LoadUnsafe(ref rm, i);
            var v = Vector256.LoadUnsafe(ref rv, i);
            if (_decoupled) pi *= _decay;
            Vector256<float> mi, vi;
            if (Direction<TMode>() && !active && _corrected)
            {
                mi = _b1 * m + _c1 * (m * _m1);
                vi = _b2 * v + _c2 * (v * _m2);
            }
            else
            {
                if (!_decoupled && _hasL2) g += _l2 * pi;
                mi = _b1 * m + _c1 * g;
                vi = Direction<TMode>() ? _b2 * v + _c2 * (g * g) : _b2 * v + _c2 * g * g;
            }
            if (Direction<TMode>()) (mi / _bc1 / (Vector256.Sqrt(vi) / _bc + _eps)).StoreUnsafe(ref rd, i);
            else pi -= _step * mi / (Vector256.Sqrt(vi) / _bc + _eps);
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

    /// <summary>The step on one contiguous range; <paramref name="g"/> empty means a zero gradient (an inactive range).</summary>
    public static void Range<TMode>(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, Span<float> d, in AdamStep s) where TMode : struct, IAdamMode
    {
        int n = p.Length, i = 0;
        bool active = !g.IsEmpty;
        if (active && g.Length != n) throw new ArgumentException("Gradient and parameter lengths differ.");
        if (Direction<TMode>() && d.Length != n) throw new ArgumentException("Direction and parameter lengths differ.");
        ref float rp = ref MemoryMarshal.GetReference(p);
        ref float rg = ref MemoryMarshal.GetReference(g);
        ref float rm = ref MemoryMarshal.GetReference(m);
        ref float rv = ref MemoryMarshal.GetReference(v);
        ref float rd = ref MemoryMarshal.GetReference(d);
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
        {
            var lanes = new Lanes512<TMode>(s);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                if (active) lanes.Active(ref rp, ref rm, ref rv, ref rd, (nuint)i, Vector512.LoadUnsafe(ref rg, (nuint)i));
                else lanes.Inactive(ref rp, ref rm, ref rv, ref rd, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
        {
            var lanes = new Lanes256<TMode>(s);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                lanes.Step(ref rp, ref rm, ref rv, ref rd, (nuint)i, active ? Vector256.LoadUnsafe(ref rg, (nuint)i) : Vector256<float>.Zero, active);
        }
        for (; i < n; i++)
            Scalar<TMode>(ref Unsafe.Add(ref rp, i), active ? Unsafe.Add(ref rg, i) : 0f, ref Unsafe.Add(ref rm, i), ref Unsafe.Add(ref rv, i),
                ref Direction<TMode>() ? ref Unsafe.Add(ref rd, i) : ref Unsafe.NullRef<float>(), active, s);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Scalar<TMode>(ref float p, float g, ref float m, ref float v, ref float d, bool active, in AdamStep s) where TMode : struct, IAdamMode
    {
        float c1 = 1f - s.Beta1, c2 = 1f - s.Beta2;
        if (s.Decoupled) p *= 1f - s.Lr * s.WeightDecay;
        if (Direction<TMode>() && !active && s.Decoupled && s.Correction)
        {
            float gm = m * s.C1, gv = v * s.C2;
            m = s.Beta1 * m + c1 * gm;
            v = s.Beta2 * v + c2 * gv;
        }
        else
        {
            if (!s.Decoupled && s.WeightDecay != 0f) g += s.WeightDecay * p;
            m = s.Beta1 * m + c1 * g;
            v = Direction<TMode>() ? s.Beta2 * v + c2 * (g * g) : s.Beta2 * v + c2 * g * g;
        }
        if (Direction<TMode>()) d = m / s.Bc1 / (MathF.Sqrt(v) / s.SqrtBc2 + s.Eps);
        else p -= s.StepSize * m / (MathF.Sqrt(v) / s.SqrtBc2 + s.Eps);
    }
}
