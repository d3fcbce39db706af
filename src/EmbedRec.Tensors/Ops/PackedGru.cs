using EmbedRec.Tensors.Autograd;
using EmbedRec.Tensors.Kernels;
using EmbedRec.Tensors.Memory;

namespace EmbedRec.Tensors;

public static partial class Ops
{
    /// <summary>
    /// A fused single-layer GRU over right-padded variable-length sequences, returning each
    /// sequence's hidden state after its last real step: x [B, T, I] with row b real for its first
    /// lengths[b] steps (1 ≤ lengths[b] ≤ T), wIh [3H, I], wHh [3H, H], bIh and bHh [3H] or null,
    /// h0 = 0 → [B, H]. PyTorch's equations and gate order (r, z, n) as in <see cref="Nn.GRU"/>;
    /// the same as running <c>torch.nn.GRU</c> on <c>pack_padded_sequence(x, lengths, enforce_sorted=False)</c>.
    /// Rows are ordered by length, longest first, so the rows still running at step t are a prefix and
    /// padding costs nothing: one GEMM projects every real token, one [active, H]×[H, 3H] GEMM runs per
    /// step, and backpropagation through time happens in the same op. Saved for backward: the gates
    /// r, z, n, W_hn·h + b_hn and the previous state of every real token, 5·H floats per token.
    /// </summary>
    public static Tensor PackedGru(Tensor x, int[] lengths, Tensor wIh, Tensor wHh, Tensor? bIh = null, Tensor? bHh = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(lengths);
        ArgumentNullException.ThrowIfNull(wIh);
        ArgumentNullException.ThrowIfNull(wHh);
        if (x.Rank != 3) throw new ArgumentException($"PackedGru: input must be [B, T, I], got {x.Describe()}.");
        int b = x.Dim(0), t = x.Dim(1), inF = x.Dim(2);
        if (wHh.Rank != 2 || wHh.Dim(0) % 3 != 0 || wHh.Dim(0) != 3 * wHh.Dim(1) || wHh.Dim(1) == 0)
            throw new ArgumentException($"PackedGru: wHh must be [3H, H], got {wHh.Describe()}.");
        int h = wHh.Dim(1);
        if (wIh.Rank != 2 || wIh.Dim(0) != 3 * h || wIh.Dim(1) != inF)
            throw new ArgumentException($"PackedGru: wIh must be [{3 * h}, {inF}] for input {x.Describe()} and wHh {wHh.Describe()}, got {wIh.Describe()}.");
        if (bIh is not null && (bIh.Rank != 1 || bIh.Size != 3 * h)) throw new ArgumentException($"PackedGru: bIh must be [{3 * h}], got {bIh.Describe()}.");
        if (bHh is not null && (bHh.Rank != 1 || bHh.Size != 3 * h)) throw new ArgumentException($"PackedGru: bHh must be [{3 * h}], got {bHh.Describe()}.");
        if (lengths.Length != b) throw new ArgumentException($"PackedGru: {lengths.Length} lengths for {b} sequences of {x.Describe()}.");
        for (int i = 0; i < b; i++)
            if (lengths[i] < 1 || lengths[i] > t)
                throw new ArgumentOutOfRangeException(nameof(lengths), lengths[i], $"PackedGru: lengths[{i}] = {lengths[i]} is outside [1, {t}] for input {x.Describe()}.");

        var p = new GruPacking(lengths, t);
        int n = p.Tokens, g3 = 3 * h;
        var pool = BufferPool.Shared;
        var xp = pool.RentAtLeast(n * inF, false);      // [N, I] real tokens, packed time-major
        p.Gather(x.Span, inF, xp);
        var gi = pool.RentAtLeast(n * g3, false);       // [N, 3H] input projections
        if (bIh is not null) for (int k = 0; k < n; k++) bIh.Span.CopyTo(gi.AsSpan(k * g3, g3));
        Blas.Current.Sgemm(false, true, n, g3, inF, 1f, xp, inF, wIh.Span, inF, bIh is null ? 0f : 1f, gi, g3);
        pool.Return(xp);

        var gates = pool.RentAtLeast(n * 4 * h, false); // [N, 4H]: r, z, n, W_hn·h + b_hn
        var hPrev = pool.RentAtLeast(n * h, false);     // [N, H]: the state each token started from
        var state = pool.RentAtLeast(b * h, true);      // [B, H] in sorted order
        var gh = pool.RentAtLeast(p.BatchSizes[0] * g3, false);
        for (int s = 0; s < p.Steps; s++)
        {
            int a = p.BatchSizes[s], off = p.Offsets[s];
            var hp = hPrev.AsSpan(off * h, a * h);
            state.AsSpan(0, a * h).CopyTo(hp);
            var ghs = gh.AsSpan(0, a * g3);
            if (bHh is not null) for (int k = 0; k < a; k++) bHh.Span.CopyTo(ghs.Slice(k * g3, g3));
            Blas.Current.Sgemm(false, true, a, g3, h, 1f, hp, h, wHh.Span, h, bHh is null ? 0f : 1f, ghs, g3);
            ForRowBlocks(a, h, (k0, k1) =>
            {
                for (int k = k0; k < k1; k++)
                    GruCell(h, gi.AsSpan((off + k) * g3, g3), gh.AsSpan(k * g3, g3), hPrev.AsSpan((off + k) * h, h),
                        gates.AsSpan((off + k) * 4 * h, 4 * h), state.AsSpan(k * h, h));
            });
        }
        pool.Return(gh);
        pool.Return(gi);

        var y = Tensor.Pooled([b, h]);
        var ys = y.Span;
        for (int k = 0; k < b; k++) state.AsSpan(k * h, h).CopyTo(ys.Slice(p.Order[k] * h, h));
        pool.Return(state);
        bool tracks = GradMode.IsEnabled && (x.RequiresGrad || wIh.RequiresGrad || wHh.RequiresGrad
            || (bIh?.RequiresGrad ?? false) || (bHh?.RequiresGrad ?? false));
        if (!tracks) { pool.Return(gates); pool.Return(hPrev); return y; }
        var inputs = new List<Tensor> { x, wIh, wHh };
        if (bIh is not null) inputs.Add(bIh);
        if (bHh is not null) inputs.Add(bHh);
        var node = Backprop.Record(y, "packed_gru", [.. inputs], g =>
        {
            var dGi = pool.RentAtLeast(n * g3, false);  // [N, 3H] d(input projections)
            var dGh = pool.RentAtLeast(n * g3, false);  // [N, 3H] d(hidden projections)
            var dh = pool.RentAtLeast(b * h, false);    // [B, H] d(state), sorted order
            var gs = g.Span;
            for (int k = 0; k < b; k++) gs.Slice(p.Order[k] * h, h).CopyTo(dh.AsSpan(k * h, h));
            for (int s = p.Steps - 1; s >= 0; s--)
            {
                int a = p.BatchSizes[s], off = p.Offsets[s];
                ForRowBlocks(a, h, (k0, k1) =>
                {
                    for (int k = k0; k < k1; k++)
                        GruCellBackward(h, gates.AsSpan((off + k) * 4 * h, 4 * h), hPrev.AsSpan((off + k) * h, h), dh.AsSpan(k * h, h),
                            dGi.AsSpan((off + k) * g3, g3), dGh.AsSpan((off + k) * g3, g3));
                });
                if (s > 0) Blas.Current.Sgemm(false, false, a, h, g3, 1f, dGh.AsSpan(off * g3, a * g3), g3, wHh.Span, h, 1f, dh.AsSpan(0, a * h), h);
            }
            pool.Return(dh);
            if (wHh.RequiresGrad) Blas.Current.Sgemm(true, false, g3, h, n, 1f, dGh, g3, hPrev, h, 1f, Backprop.GradSpan(wHh), h);
            if (bHh is not null && bHh.RequiresGrad) ColumnSums(dGh, n, g3, Backprop.GradSpan(bHh));
            if (bIh is not null && bIh.RequiresGrad) ColumnSums(dGi, n, g3, Backprop.GradSpan(bIh));
            if (wIh.RequiresGrad)
            {
                var xg = pool.RentAtLeast(n * inF, false);
                p.Gather(x.Span, inF, xg);
                Blas.Current.Sgemm(true, false, g3, inF, n, 1f, dGi, g3, xg, inF, 1f, Backprop.GradSpan(wIh), inF);
                pool.Return(xg);
            }
            if (x.RequiresGrad)
            {
                var dx = pool.RentAtLeast(n * inF, false);
                Blas.Current.Sgemm(false, false, n, inF, g3, 1f, dGi, g3, wIh.Span, inF, 0f, dx, inF);
                p.ScatterAdd(dx, inF, Backprop.GradSpan(x));
                pool.Return(dx);
            }
            pool.Return(dGi);
            pool.Return(dGh);
        });
        node.Save(gates);
        node.Save(hPrev);
        return y;
    }

    /// <summary>
    /// One GRU step for one row: gi, gh [3H] projections (r, z, n), hp [H] previous state →
    /// saved [4H] = r, z, n, gh_n and the new state h' = n + z ⊙ (hp − n).
    /// </summary>
    private static void GruCell(int h, ReadOnlySpan<float> gi, ReadOnlySpan<float> gh, ReadOnlySpan<float> hp, Span<float> saved, Span<float> hNew)
    {
        var rz = saved[..(2 * h)];
        var r = saved[..h];
        var z = saved.Slice(h, h);
        var nn = saved.Slice(2 * h, h);
        var ghn = saved.Slice(3 * h, h);
        TensorPrimitives.Add(gi[..(2 * h)], gh[..(2 * h)], rz);
        TensorPrimitives.Sigmoid(rz, rz);
        gh.Slice(2 * h, h).CopyTo(ghn);
        TensorPrimitives.MultiplyAdd(r, ghn, gi.Slice(2 * h, h), nn);
        TensorPrimitives.Tanh(nn, nn);
        TensorPrimitives.Subtract(hp, nn, hNew);
        TensorPrimitives.MultiplyAdd(z, hNew, nn, hNew);
    }

    /// <summary>
    /// Backward of <see cref="GruCell"/> for one row: dh [H] holds d(h') on entry and the part of d(hp)
    /// that flows through z on exit (the W_hh part is added by the caller's GEMM); writes
    /// dgi = (dr̂, dẑ, dn̂) and dgh = (dr̂, dẑ, dn̂ ⊙ r), the gradients of the pre-activations.
    /// </summary>
    private static void GruCellBackward(int h, ReadOnlySpan<float> saved, ReadOnlySpan<float> hp, Span<float> dh, Span<float> dgi, Span<float> dgh)
    {
        for (int j = 0; j < h; j++)
        {
            float r = saved[j], z = saved[h + j], nv = saved[2 * h + j], ghn = saved[3 * h + j], d = dh[j];
            float dn = d * (1f - z) * (1f - nv * nv);
            float dz = d * (hp[j] - nv) * z * (1f - z);
            float dr = dn * ghn * r * (1f - r);
            dgi[j] = dr; dgi[h + j] = dz; dgi[2 * h + j] = dn;
            dgh[j] = dr; dgh[h + j] = dz; dgh[2 * h + j] = dn * r;
            dh[j] = d * z;
        }
    }

    /// <summary>Runs body(first, end) over [0, rows) in one block per thread when a step has enough work, else in one.</summary>
    private static void ForRowBlocks(int rows, int h, Action<int, int> body)
    {
        int blocks = Math.Min(Blas.ThreadCount, (int)Math.Min(rows, (long)rows * h / 8192));
        if (blocks <= 1) { body(0, rows); return; }
        int per = (rows + blocks - 1) / blocks;
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = blocks },
            i => body(i * per, Math.Min(rows, (i + 1) * per)));
    }

    private static void ColumnSums(ReadOnlySpan<float> a, int rows, int cols, Span<float> dst)
    {
        for (int k = 0; k < rows; k++) TensorPrimitives.Add(dst, a.Slice(k * cols, cols), dst);
    }

    /// <summary>
    /// The packed layout of a batch of lengths: rows sorted by length descending (stable), and for
    /// each step t the number of rows still running and where they start among the packed tokens.
    /// </summary>
    private sealed class GruPacking
    {
        public GruPacking(int[] lengths, int maxSteps)
        {
            _lengths = lengths;
            Order = Enumerable.Range(0, lengths.Length).OrderByDescending(i => lengths[i]).ToArray();
            Steps = lengths.Length == 0 ? 0 : lengths[Order[0]];
            BatchSizes = new int[Math.Max(Steps, 1)];
            Offsets = new int[Math.Max(Steps, 1)];
            int active = lengths.Length, off = 0;
            for (int s = 0; s < Steps; s++)
            {
                while (active > 0 && lengths[Order[active - 1]] <= s) active--;
                BatchSizes[s] = active;
                Offsets[s] = off;
                off += active;
            }
            Tokens = off;
            _maxSteps = maxSteps;
        }

        private readonly int[] _lengths;
        private readonly int _maxSteps;

        /// <summary>Order[k] is the original row of sorted row k.</summary>
        public int[] Order { get; }

        public int Steps { get; }

        public int[] BatchSizes { get; }

        public int[] Offsets { get; }

        /// <summary>Real tokens, Σ lengths.</summary>
        public int Tokens { get; }

        /// <summary>Copies the real tokens of x [B, T, I] into packed [N, I].</summary>
        public void Gather(ReadOnlySpan<float> x, int inF, Span<float> packed)
        {
            for (int s = 0; s < Steps; s++)
                for (int k = 0; k < BatchSizes[s]; k++)
                    x.Slice((Order[k] * _maxSteps + s) * inF, inF).CopyTo(packed.Slice((Offsets[s] + k) * inF, inF));
        }

        /// <summary>Adds packed [N, I] into the real tokens of dx [B, T, I].</summary>
        public void ScatterAdd(ReadOnlySpan<float> packed, int inF, Span<float> dx)
        {
            for (int s = 0; s < Steps; s++)
                for (int k = 0; k < BatchSizes[s]; k++)
                {
                    var dst = dx.Slice((Order[k] * _maxSteps + s) * inF, inF);
                    TensorPrimitives.Add(dst, packed.Slice((Offsets[s] + k) * inF, inF), dst);
                }
        }
    }
}
