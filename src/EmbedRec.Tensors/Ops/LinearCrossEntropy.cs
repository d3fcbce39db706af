using EmbedRec.Tensors.Autograd;
using EmbedRec.Tensors.Kernels;
using EmbedRec.Tensors.Memory;

namespace EmbedRec.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Fused output projection and full-softmax cross-entropy in bounded memory:
    /// mean over rows i of −log softmax(hᵢ·Wᵀ + b)[labelᵢ], with hidden [M, d], weight [C, d],
    /// bias [C] or null and M labels in [0, C). Equal to <c>CrossEntropy(Linear(hidden, weight, bias), labels)</c>
    /// without its [M, C] logits and probabilities: rows go through in chunks of
    /// <paramref name="chunkRows"/>, the forward keeps only each row's log-sum-exp, and the backward
    /// recomputes a chunk's logits, forms (softmax − onehot)·g/M and accumulates dHidden, dWeight and dBias
    /// from it. Chunks run in parallel, one per thread, each with its own dWeight/dBias accumulator
    /// (reduced in thread order, so the result depends only on the thread count); peak extra memory is
    /// one chunk of logits per thread plus one [C, d] accumulator per thread after the first.
    /// An empty batch (M = 0) gives loss 0.
    /// </summary>
    public static Tensor LinearCrossEntropy(Tensor hidden, Tensor weight, Tensor? bias, int[] labels, int chunkRows = 256)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(labels);
        if (hidden.Rank != 2 || weight.Rank != 2 || hidden.Dim(1) != weight.Dim(1))
            throw new ArgumentException($"LinearCrossEntropy: hidden must be [M, d] and weight [C, d], got {hidden.Describe()} and {weight.Describe()}.");
        int m = hidden.Dim(0), d = hidden.Dim(1), c = weight.Dim(0);
        if (bias is not null && (bias.Rank != 1 || bias.Size != c))
            throw new ArgumentException($"LinearCrossEntropy: bias {bias.Describe()} must be [{c}] to match weight {weight.Describe()}.");
        if (labels.Length != m) throw new ArgumentException($"LinearCrossEntropy: {labels.Length} labels for {m} rows of {hidden.Describe()}.");
        if (chunkRows < 1) throw new ArgumentOutOfRangeException(nameof(chunkRows), chunkRows, "LinearCrossEntropy: chunkRows must be positive.");
        for (int i = 0; i < m; i++)
            if ((uint)labels[i] >= (uint)c)
                throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"LinearCrossEntropy: label {labels[i]} at row {i} is outside [0, {c}).");

        var plan = new LcePlan(m, d, c, chunkRows, hidden, weight, bias, labels);
        var pool = BufferPool.Shared;
        var lse = pool.RentAtLeast(Math.Max(m, 1), false); // [M] log-sum-exp per row
        var rowLoss = pool.RentAtLeast(Math.Max(m, 1), false);
        plan.ForEachChunk((r0, rows, logits, _) =>
        {
            for (int i = 0; i < rows; i++)
            {
                var row = logits.Slice(i * c, c);
                float target = row[labels[r0 + i]];
                float l = LogSumExpInPlace(row);
                lse[r0 + i] = l;
                rowLoss[r0 + i] = l - target;
            }
        });
        double loss = 0;
        for (int i = 0; i < m; i++) loss += rowLoss[i];
        pool.Return(rowLoss);
        var y = Tensor.Pooled([]);
        y.Span[0] = m == 0 ? 0f : (float)(loss / m);
        if (!Backprop.Tracks(hidden, weight, bias)) { pool.Return(lse); return y; }
        Tensor[] inputs = bias is null ? [hidden, weight] : [hidden, weight, bias];
        var node = Backprop.Record(y, "linear_cross_entropy", inputs, g =>
        {
            if (m == 0) return;
            float scale = g.Span[0] / m;
            bool needH = hidden.RequiresGrad, needW = weight.RequiresGrad, needB = bias is not null && bias.RequiresGrad;
            if (needH) Backprop.GradSpan(hidden);
            if (needW) Backprop.GradSpan(weight);
            if (needB) Backprop.GradSpan(bias!);
            plan.Backward(scale, lse, needH ? hidden.Grad!.Data : null, needW ? weight.Grad!.Data : null, needB ? bias!.Grad!.Data : null);
        });
        node.Save(lse);
        return y;
    }

    /// <summary>log Σ exp(x), overwriting x with exp(x − max).</summary>
    private static float LogSumExpInPlace(Span<float> x)
    {
        float max = TensorPrimitives.Max(x);
        if (float.IsNegativeInfinity(max)) return max;
        TensorPrimitives.Subtract(x, max, x);
        TensorPrimitives.Exp(x, x);
        return max + MathF.Log(TensorPrimitives.Sum(x));
    }

    /// <summary>The chunking of a <see cref="LinearCrossEntropy"/> call and its two passes.</summary>
    private sealed class LcePlan(int m, int d, int c, int chunkRows, Tensor hidden, Tensor weight, Tensor? bias, int[] labels)
    {
        private readonly int _workers = Math.Max(1, Math.Min(Blas.ThreadCount, m));
        private int ChunkRows => Math.Max(1, Math.Min(chunkRows, (m + _workers - 1) / _workers));
        private int Chunks => (m + ChunkRows - 1) / ChunkRows;

        /// <summary>
        /// Runs <paramref name="body"/>(firstRow, rows, logits [rows, C], worker) for every chunk, worker w taking
        /// chunks w, w + P, w + 2P, … so that the chunk-to-worker assignment is fixed.
        /// </summary>
        public void ForEachChunk(Action<int, int, Span<float>, int> body)
        {
            if (m == 0) return;
            int cr = ChunkRows, chunks = Chunks, workers = Math.Min(_workers, chunks);
            void Work(int w)
            {
                var buf = BufferPool.Shared.Rent(cr * c, false);
                for (int k = w; k < chunks; k += workers)
                {
                    int r0 = k * cr, rows = Math.Min(cr, m - r0);
                    var logits = buf.AsSpan(0, rows * c);
                    Logits(r0, rows, logits);
                    body(r0, rows, logits, w);
                }
                BufferPool.Shared.Return(buf);
            }
            if (workers == 1) Work(0);
            else Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, Work);
        }

        /// <summary>logits [rows, C] = h[r0 .. r0 + rows)·Wᵀ + b on the calling thread.</summary>
        private void Logits(int r0, int rows, Span<float> logits)
        {
            if (bias is not null)
                for (int i = 0; i < rows; i++) bias.Span.CopyTo(logits.Slice(i * c, c));
            Blas.SingleThreaded.Sgemm(false, true, rows, c, d, 1f, hidden.Span.Slice(r0 * d, rows * d), d,
                weight.Span, d, bias is null ? 0f : 1f, logits, c);
        }

        /// <summary>
        /// Accumulates the gradients of scale·Σᵢ CEᵢ: dlogits = (softmax − onehot)·scale per chunk,
        /// dHidden rows += dlogits·W, dW += dlogitsᵀ·h, db += column sums of dlogits.
        /// </summary>
        public void Backward(float scale, float[] lse, float[]? gh, float[]? gw, float[]? gb)
        {
            int workers = Math.Min(_workers, Chunks);
            // Worker 0 accumulates straight into the gradients; the others into private buffers added after, in order.
            var accW = new float[]?[workers];
            var accB = new float[]?[workers];
            for (int w = 1; w < workers; w++)
            {
                if (gw is not null) accW[w] = BufferPool.Shared.Rent(c * d, true);
                if (gb is not null) accB[w] = BufferPool.Shared.Rent(c, true);
            }
            accW[0] = gw;
            accB[0] = gb;
            ForEachChunk((r0, rows, p, w) =>
            {
                for (int i = 0; i < rows; i++)
                {
                    var row = p.Slice(i * c, c);
                    TensorPrimitives.Subtract(row, lse[r0 + i], row);
                    TensorPrimitives.Exp(row, row);
                    TensorPrimitives.Multiply(row, scale, row);
                    row[labels[r0 + i]] -= scale;
                }
                var blas = Blas.SingleThreaded;
                var hRows = hidden.Span.Slice(r0 * d, rows * d);
                if (gh is not null) blas.Sgemm(false, false, rows, d, c, 1f, p, c, weight.Span, d, 1f, gh.AsSpan(r0 * d, rows * d), d);
                if (accW[w] is { } aw) blas.Sgemm(true, false, c, d, rows, 1f, p, c, hRows, d, 1f, aw, d);
                // Gradient buffers of intermediates (a sliced bias) are size-classed, longer than c: use exactly c.
                if (accB[w] is { } ab)
                    for (int i = 0; i < rows; i++) TensorPrimitives.Add(ab.AsSpan(0, c), p.Slice(i * c, c), ab.AsSpan(0, c));
            });
            for (int w = 1; w < workers; w++)
            {
                if (accW[w] is { } aw) { TensorPrimitives.Add(gw!.AsSpan(0, c * d), aw, gw.AsSpan(0, c * d)); BufferPool.Shared.Return(aw); }
                if (accB[w] is { } ab) { TensorPrimitives.Add(gb!.AsSpan(0, c), ab, gb.AsSpan(0, c)); BufferPool.Shared.Return(ab); }
            }
        }
    }
}
