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
    /// <paramref name="chunkRows"/>, each chunk's logits computed once. Without gradient tracking the pass keeps
    /// only each row's loss. With it, the same pass also forms (softmax − onehot)/M and accumulates dHidden [M, d],
    /// dWeight [C, d] and dBias [C] of the mean loss, which the backward only scales by the upstream gradient
    /// (a loss is a scalar, so its gradient is known up to that factor; this saves the backward's recomputation of
    /// the logits and their exponentials, a quarter of the products). Chunks run in parallel, one per thread, each
    /// with its own dWeight/dBias accumulator (reduced in thread order, so the result depends only on the thread
    /// count); extra memory is one chunk of logits and one [C, d] accumulator per thread, and the saved gradients
    /// until the graph is released. An empty batch (M = 0) gives loss 0.
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
        bool needH = Backprop.Tracks(hidden), needW = Backprop.Tracks(weight), needB = bias is not null && Backprop.Tracks(bias);
        var pool = BufferPool.Shared;
        var rowLoss = pool.RentAtLeast(Math.Max(m, 1), false);
        if (!(needH || needW || needB))
        {
            plan.ForEachChunk((r0, rows, logits, _) =>
            {
                for (int i = 0; i < rows; i++)
                {
                    var row = logits.Slice(i * c, c);
                    float target = row[labels[r0 + i]];
                    rowLoss[r0 + i] = LogSumExpInPlace(row, out float unusedSum) - target;
                }
            });
            return LossOf(rowLoss, m);
        }
        // Training: the gradient of the mean loss is known up to the upstream scalar, so it is formed in this same pass
        // over the chunks (each chunk's logits are computed once, not again in backward) and the backward only scales it.
        var grads = plan.ForwardWithGradients(rowLoss, needH, needW, needB);
        var y = LossOf(rowLoss, m);
        Tensor[] inputs = bias is null ? [hidden, weight] : [hidden, weight, bias];
        var node = Backprop.Record(y, "linear_cross_entropy", inputs, g =>
        {
            if (m == 0) return;
            float up = g.Span[0];
            if (needH) AddScaled(Backprop.GradSpan(hidden)[..(m * d)], grads.Hidden!.AsSpan(0, m * d), up);
            if (needW) AddScaled(Backprop.GradSpan(weight)[..(c * d)], grads.Weight!.AsSpan(0, c * d), up);
            if (needB) AddScaled(Backprop.GradSpan(bias!)[..c], grads.Bias!.AsSpan(0, c), up);
        });
        if (grads.Hidden is not null) node.Save(grads.Hidden);
        if (grads.Weight is not null) node.Save(grads.Weight);
        if (grads.Bias is not null) node.Save(grads.Bias);
        return y;
    }

    /// <summary>The mean of the first <paramref name="m"/> row losses as a pooled scalar (0 for M = 0); returns the buffer.</summary>
    private static Tensor LossOf(float[] rowLoss, int m)
    {
        double loss = 0;
        for (int i = 0; i < m; i++) loss += rowLoss[i];
        BufferPool.Shared.Return(rowLoss);
        var y = Tensor.Pooled([]);
        y.Span[0] = m == 0 ? 0f : (float)(loss / m);
        return y;
    }

    /// <summary>dst += a·src (a plain add when a = 1, the usual upstream gradient of a loss).</summary>
    private static void AddScaled(Span<float> dst, ReadOnlySpan<float> src, float a)
    {
        if (a == 1f) TensorPrimitives.Add(dst, src, dst);
        else TensorPrimitives.MultiplyAdd(src, a, dst, dst);
    }

    /// <summary>log Σ exp(x), overwriting x with exp(x − max); <paramref name="sum"/> is Σ exp(x − max) (0 for an all −∞ row).</summary>
    private static float LogSumExpInPlace(Span<float> x, out float sum)
    {
        float max = TensorPrimitives.Max(x);
        sum = 0f;
        if (float.IsNegativeInfinity(max)) return max;
        TensorPrimitives.Subtract(x, max, x);
        TensorPrimitives.Exp(x, x);
        sum = TensorPrimitives.Sum(x);
        return max + MathF.Log(sum);
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

        /// <summary>The gradients of the mean loss with respect to hidden [M, d], weight [C, d] and bias [C] (pooled; null when not needed).</summary>
        public readonly record struct Gradients(float[]? Hidden, float[]? Weight, float[]? Bias);

        /// <summary>
        /// One pass over the chunks that writes each row's loss (log-sum-exp − target logit) and forms the gradients of
        /// their mean: dlogits = (softmax − onehot)/M per chunk, dHidden rows = dlogits·W, dW = Σ dlogitsᵀ·h,
        /// db = column sums of dlogits. Worker 0 accumulates dW and db into the returned buffers, the others into
        /// private ones added after in worker order, so the result depends only on the thread count.
        /// </summary>
        public Gradients ForwardWithGradients(float[] rowLoss, bool needH, bool needW, bool needB)
        {
            var pool = BufferPool.Shared;
            int workers = m == 0 ? 1 : Math.Min(_workers, Chunks);
            var gh = needH ? pool.RentAtLeast(Math.Max(m * d, 1), false) : null;
            var accW = new float[]?[workers];
            var accB = new float[]?[workers];
            for (int w = 0; w < workers; w++)
            {
                if (needW) accW[w] = pool.Rent(c * d, true);
                if (needB) accB[w] = pool.Rent(c, true);
            }
            float scale = m == 0 ? 0f : 1f / m;
            ForEachChunk((r0, rows, p, w) =>
            {
                for (int i = 0; i < rows; i++)
                {
                    var row = p.Slice(i * c, c);
                    int label = labels[r0 + i];
                    float target = row[label];
                    rowLoss[r0 + i] = LogSumExpInPlace(row, out float sum) - target;
                    TensorPrimitives.Multiply(row, scale / sum, row);
                    row[label] -= scale;
                }
                var blas = Blas.SingleThreaded;
                if (gh is not null) blas.Sgemm(false, false, rows, d, c, 1f, p, c, weight.Span, d, 0f, gh.AsSpan(r0 * d, rows * d), d);
                if (accW[w] is { } aw) blas.Sgemm(true, false, c, d, rows, 1f, p, c, hidden.Span.Slice(r0 * d, rows * d), d, 1f, aw, d);
                if (accB[w] is { } ab)
                    for (int i = 0; i < rows; i++) TensorPrimitives.Add(ab.AsSpan(0, c), p.Slice(i * c, c), ab.AsSpan(0, c));
            });
            for (int w = 1; w < workers; w++)
            {
                if (accW[w] is { } aw) { TensorPrimitives.Add(accW[0].AsSpan(0, c * d), aw.AsSpan(0, c * d), accW[0].AsSpan(0, c * d)); pool.Return(aw); }
                if (accB[w] is { } ab) { TensorPrimitives.Add(accB[0].AsSpan(0, c), ab.AsSpan(0, c), accB[0].AsSpan(0, c)); pool.Return(ab); }
            }
            return new Gradients(gh, accW[0], accB[0]);
        }
    }
}
