using EmbedRec.Tensors.Autograd;
using EmbedRec.Tensors.Kernels;
using EmbedRec.Tensors.Memory;

namespace EmbedRec.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Fused multi-head scaled dot-product attention over packed variable-length sequences (<see cref="SequencePacking"/>):
    /// q, k, v are [tokens, E] (already projected; head h owns columns h·E/H .. (h+1)·E/H − 1) and the result is the
    /// heads' outputs [tokens, E], before the output projection. Each query attends to the keys of its own sequence:
    /// all of them, or with <paramref name="causal"/> those at or before it.
    /// <para>
    /// Padding as the reference computes it: when a sequence has <see cref="SequencePacking.PadCounts"/> P &gt; 0, its
    /// padded layout holds P identical padding tokens before it whose key and value are <paramref name="padKey"/> and
    /// <paramref name="padValue"/> [E] (for zeroed padding inputs, the projections' biases). Every query sees them (they
    /// precede it), so they enter as one key of logit s + ln P with value <paramref name="padValue"/>: the same softmax as
    /// the padded computation without its cost. Gradients flow to <paramref name="padKey"/> and <paramref name="padValue"/>.
    /// </para>
    /// <para>
    /// Dropout on the attention weights (training): each real weight is kept with probability 1 − p and scaled by 1/(1 − p);
    /// for the P padding keys the number kept is drawn from Binomial(P, 1 − p), which is the padded computation's
    /// distribution. Masks are drawn per sequence from seeds taken from <paramref name="rng"/>, so results do not depend on
    /// the thread count. Memory: the forward keeps nothing but the output; the backward recomputes each sequence's
    /// scores and redraws its masks (one row of L + 1 weights at a time per thread), so no tokens × L tensor exists.
    /// </para>
    /// </summary>
    public static Tensor PackedAttention(Tensor q, Tensor k, Tensor v, SequencePacking packing, int heads, bool causal,
        Tensor? padKey = null, Tensor? padValue = null, float dropout = 0f, Rng? rng = null)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(k);
        ArgumentNullException.ThrowIfNull(v);
        ArgumentNullException.ThrowIfNull(packing);
        int n = packing.Tokens;
        if (q.Rank != 2 || q.Dim(0) != n || !ShapeUtil.Equal(q.Shape, k.Shape) || !ShapeUtil.Equal(q.Shape, v.Shape))
            throw new ArgumentException($"PackedAttention: q {q.Describe()}, k {k.Describe()} and v {v.Describe()} must all be [{n}, E] for a packing of {n} tokens.");
        int e = q.Dim(1);
        if (heads < 1 || e % heads != 0) throw new ArgumentException($"PackedAttention: {heads} heads do not divide the width {e}.");
        bool anyPad = packing.PadCounts.Any(p => p > 0);
        if (anyPad && (padKey is null || padValue is null))
            throw new ArgumentException("PackedAttention: the packing has padding tokens, so padKey and padValue [E] are required.");
        if (padKey is not null && padKey.Size != e) throw new ArgumentException($"PackedAttention: padKey {padKey.Describe()} must have {e} elements.");
        if (padValue is not null && padValue.Size != e) throw new ArgumentException($"PackedAttention: padValue {padValue.Describe()} must have {e} elements.");
        if (dropout < 0f || dropout >= 1f) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "Attention dropout must be in [0, 1).");
        if (dropout > 0f && rng is null) throw new ArgumentException("PackedAttention: dropout needs a generator.");

        var plan = new AttentionPlan(packing, heads, e, causal, anyPad, dropout, dropout > 0f ? rng!.NextUInt64() : 0UL);
        var y = Tensor.Pooled([n, e]);
        bool track = Backprop.Tracks(q, k, v) || (padKey is not null && padKey.RequiresGrad && GradMode.IsEnabled)
            || (padValue is not null && padValue.RequiresGrad && GradMode.IsEnabled);
        var qd = q.Data; var kd = k.Data; var vd = v.Data;
        var pk = padKey?.Data; var pv = padValue?.Data;
        var yd = y.Data;
        plan.ForEachSequence(s => plan.Forward(s, qd, kd, vd, pk, pv, yd));
        if (!track) return y;

        var inputs = new List<Tensor> { q, k, v };
        if (padKey is not null) inputs.Add(padKey);
        if (padValue is not null) inputs.Add(padValue);
        var node = Backprop.Record(y, "packed_attention", [.. inputs], g =>
        {
            var gq = GradArray(q);
            var gk = GradArray(k);
            var gv = GradArray(v);
            // Per-sequence partial sums for the padding key and value, reduced in sequence order (deterministic).
            var padPartials = anyPad ? BufferPool.Shared.RentAtLeast(packing.Count * 2 * e, true) : null;
            var gd = g.Data;
            plan.ForEachSequence(s => plan.Backward(s, qd, kd, vd, pk, pv, gd, gq, gk, gv, padPartials));
            if (padPartials is not null)
            {
                Span<float> gpk = padKey is not null && padKey.RequiresGrad ? Backprop.GradSpan(padKey) : Span<float>.Empty;
                Span<float> gpv = padValue is not null && padValue.RequiresGrad ? Backprop.GradSpan(padValue) : Span<float>.Empty;
                for (int s = 0; s < packing.Count; s++)
                {
                    if (!gpk.IsEmpty) TensorPrimitives.Add(gpk, padPartials.AsSpan(s * 2 * e, e), gpk);
                    if (!gpv.IsEmpty) TensorPrimitives.Add(gpv, padPartials.AsSpan(s * 2 * e + e, e), gpv);
                }
                BufferPool.Shared.Return(padPartials);
            }
        });
        return y;

        static float[]? GradArray(Tensor t) => t.RequiresGrad && !Backprop.GradSpan(t).IsEmpty ? t.Grad!.Data : null;
    }

    /// <summary>Threads <see cref="PackedAttention"/> uses instead of <c>EMBEDREC_THREADS</c> (tests compare thread counts), or null.</summary>
    internal static int? PackedAttentionThreads { get => AttentionPlan.ThreadsOverride; set => AttentionPlan.ThreadsOverride = value; }

    /// <summary>The fixed quantities of one attention call and its per-sequence forward and backward kernels.</summary>
    private sealed class AttentionPlan
    {
        private readonly SequencePacking _p;
        private readonly int _heads, _e, _dh;
        private readonly bool _causal, _pad;
        private readonly float _drop, _keepScale, _scale;
        private readonly ulong _seed;
        private readonly double[][]? _binomialCdf; // [P][c]: P(kept ≤ c) for Binomial(P, 1 − p)

        public static int? ThreadsOverride { get; set; }

        public AttentionPlan(SequencePacking packing, int heads, int e, bool causal, bool pad, float dropout, ulong seed)
        {
            _p = packing; _heads = heads; _e = e; _dh = e / heads; _causal = causal; _pad = pad;
            _drop = dropout; _keepScale = dropout > 0f ? 1f / (1f - dropout) : 1f; _scale = 1f / MathF.Sqrt(_dh); _seed = seed;
            if (pad && dropout > 0f) _binomialCdf = BinomialTables(packing.PadCounts.Max(), 1.0 - dropout);
        }

        public void ForEachSequence(Action<int> body)
        {
            int threads = ThreadsOverride ?? Blas.ThreadCount;
            long work = (long)_p.Tokens * _e + _p.SquaredLengths * _e;
            if ((work < 1 << 15 && ThreadsOverride is null) || threads == 1 || _p.Count == 1) { for (int s = 0; s < _p.Count; s++) body(s); return; }
            Parallel.For(0, _p.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, body);
        }

        private Rng SequenceRng(int s) => new(_seed ^ (0x9E3779B97F4A7C15UL * (ulong)(s + 1)));

        /// <summary>Number of padding keys kept out of <paramref name="count"/>, from one uniform draw.</summary>
        private int KeptPads(int count, Rng rng)
        {
            double u = rng.NextDouble();
            var cdf = _binomialCdf![count];
            int c = 0;
            while (c < count && u > cdf[c]) c++;
            return c;
        }

        /// <summary>Softmax scores of query row <paramref name="i"/> (local) of sequence s, head h, into w (keys 0..kn−1, then the pad key at kn).</summary>
        private void Scores(int s, int h, int i, float[] q, float[] k, float[]? padKey, Span<float> w, out int kn)
        {
            int off = _p.Offsets[s], len = _p.Lengths[s], pads = _p.PadCounts[s];
            kn = _causal ? i + 1 : len;
            var qi = q.AsSpan((off + i) * _e + h * _dh, _dh);
            float max = float.NegativeInfinity;
            for (int j = 0; j < kn; j++)
            {
                float sc = TensorPrimitives.Dot(qi, k.AsSpan((off + j) * _e + h * _dh, _dh)) * _scale;
                w[j] = sc;
                if (sc > max) max = sc;
            }
            if (pads > 0)
            {
                float sc = TensorPrimitives.Dot(qi, padKey.AsSpan(h * _dh, _dh)) * _scale + MathF.Log(pads);
                w[kn] = sc;
                if (sc > max) max = sc;
            }
            var ws = w.Slice(0, kn + (pads > 0 ? 1 : 0));
            // Vectorized: a scalar MathF.Exp per key was about 4% of a BERT4Rec epoch.
            TensorPrimitives.Subtract(ws, max, ws);
            TensorPrimitives.Exp(ws, ws);
            TensorPrimitives.Multiply(ws, 1f / TensorPrimitives.Sum(ws), ws);
        }

        /// <summary>Draws the dropout factors of one query row in a fixed order (the backward redraws them identically).</summary>
        private void DropFactors(int s, int kn, Span<float> f, Rng? rng)
        {
            int pads = _p.PadCounts[s];
            int total = kn + (pads > 0 ? 1 : 0);
            if (rng is null) { f[..total].Fill(1f); return; }
            rng.FillDropoutMask(f.Slice(0, kn), _drop, _keepScale);
            if (pads > 0) f[kn] = KeptPads(pads, rng) / (float)pads * _keepScale;
        }

        public void Forward(int s, float[] q, float[] k, float[] v, float[]? padKey, float[]? padValue, float[] y)
        {
            int off = _p.Offsets[s], len = _p.Lengths[s];
            var rng = _drop > 0f ? SequenceRng(s) : null;
            var w = new float[len + 1];
            var f = new float[len + 1];
            for (int h = 0; h < _heads; h++)
                for (int i = 0; i < len; i++)
                {
                    Scores(s, h, i, q, k, padKey, w, out int kn);
                    DropFactors(s, kn, f, rng);
                    var yi = y.AsSpan((off + i) * _e + h * _dh, _dh);
                    yi.Clear();
                    for (int j = 0; j < kn; j++)
                    {
                        float a = w[j] * f[j];
                        if (a != 0f) TensorPrimitives.MultiplyAdd(v.AsSpan((off + j) * _e + h * _dh, _dh), a, yi, yi);
                    }
                    if (_p.PadCounts[s] > 0)
                    {
                        float a = w[kn] * f[kn];
                        if (a != 0f) TensorPrimitives.MultiplyAdd(padValue.AsSpan(h * _dh, _dh), a, yi, yi);
                    }
                }
        }

        public void Backward(int s, float[] q, float[] k, float[] v, float[]? padKey, float[]? padValue, float[] g,
            float[]? gq, float[]? gk, float[]? gv, float[]? padPartials)
        {
            int off = _p.Offsets[s], len = _p.Lengths[s], pads = _p.PadCounts[s];
            var rng = _drop > 0f ? SequenceRng(s) : null;
            var w = new float[len + 1];
            var f = new float[len + 1];
            var dp = new float[len + 1];
            for (int h = 0; h < _heads; h++)
                for (int i = 0; i < len; i++)
                {
                    Scores(s, h, i, q, k, padKey, w, out int kn);
                    DropFactors(s, kn, f, rng);
                    var gi = g.AsSpan((off + i) * _e + h * _dh, _dh);
                    var qi = q.AsSpan((off + i) * _e + h * _dh, _dh);
                    // dP_j = f_j (dO_i · v_j); δ = Σ_j P_j dP_j; dS_j = P_j (dP_j − δ).
                    float delta = 0f;
                    for (int j = 0; j < kn; j++)
                    {
                        dp[j] = f[j] == 0f ? 0f : f[j] * TensorPrimitives.Dot(gi, v.AsSpan((off + j) * _e + h * _dh, _dh));
                        delta += w[j] * dp[j];
                    }
                    if (pads > 0)
                    {
                        dp[kn] = f[kn] == 0f ? 0f : f[kn] * TensorPrimitives.Dot(gi, padValue.AsSpan(h * _dh, _dh));
                        delta += w[kn] * dp[kn];
                    }
                    var gqi = gq is null ? Span<float>.Empty : gq.AsSpan((off + i) * _e + h * _dh, _dh);
                    for (int j = 0; j < kn; j++)
                    {
                        int row = (off + j) * _e + h * _dh;
                        float a = w[j] * f[j];
                        if (gv is not null && a != 0f) TensorPrimitives.MultiplyAdd(gi, a, gv.AsSpan(row, _dh), gv.AsSpan(row, _dh));
                        float ds = w[j] * (dp[j] - delta) * _scale;
                        if (ds == 0f) continue;
                        if (!gqi.IsEmpty) TensorPrimitives.MultiplyAdd(k.AsSpan(row, _dh), ds, gqi, gqi);
                        if (gk is not null) TensorPrimitives.MultiplyAdd(qi, ds, gk.AsSpan(row, _dh), gk.AsSpan(row, _dh));
                    }
                    if (pads > 0)
                    {
                        var pkG = padPartials.AsSpan(s * 2 * _e + h * _dh, _dh);
                        var pvG = padPartials.AsSpan(s * 2 * _e + _e + h * _dh, _dh);
                        float a = w[kn] * f[kn];
                        if (a != 0f) TensorPrimitives.MultiplyAdd(gi, a, pvG, pvG);
                        float ds = w[kn] * (dp[kn] - delta) * _scale;
                        if (ds != 0f)
                        {
                            if (!gqi.IsEmpty) TensorPrimitives.MultiplyAdd(padKey.AsSpan(h * _dh, _dh), ds, gqi, gqi);
                            TensorPrimitives.MultiplyAdd(qi, ds, pkG, pkG);
                        }
                    }
                }
        }

        /// <summary>CDF tables of Binomial(P, keep) for P = 0..maxCount, computed in log space (no underflow for long padding).</summary>
        private static double[][] BinomialTables(int maxCount, double keep)
        {
            var tables = new double[maxCount + 1][];
            double logKeep = Math.Log(keep), logDrop = Math.Log(1.0 - keep);
            for (int count = 0; count <= maxCount; count++)
            {
                var logPmf = new double[count + 1];
                logPmf[0] = count * logDrop;
                for (int c = 0; c < count; c++) logPmf[c + 1] = logPmf[c] + Math.Log((double)(count - c) / (c + 1)) + logKeep - logDrop;
                double max = logPmf.Max(), sum = 0;
                var cdf = new double[count + 1];
                for (int c = 0; c <= count; c++) { sum += Math.Exp(logPmf[c] - max); cdf[c] = sum; }
                for (int c = 0; c <= count; c++) cdf[c] /= sum;
                cdf[count] = 1.0;
                tables[count] = cdf;
            }
            return tables;
        }
    }
}
