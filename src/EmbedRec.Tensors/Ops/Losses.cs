using EmbedRec.Tensors.Autograd;
using EmbedRec.Tensors.Memory;

namespace EmbedRec.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Fused softmax cross-entropy, mean over rows whose target is not <paramref name="ignoreIndex"/>.
    /// logits [N, C], targets N class indices. When every row is ignored the loss is 0 (PyTorch gives NaN).
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, int[] targets, int ignoreIndex = -100)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        if (logits.Rank != 2) throw new ArgumentException($"CrossEntropy: logits must be [N, C], got {logits.Describe()}.");
        int n = logits.Dim(0), c = logits.Dim(1);
        if (targets.Length != n) throw new ArgumentException($"CrossEntropy: {targets.Length} targets for {n} rows of {logits.Describe()}.");
        int count = 0;
        for (int i = 0; i < n; i++)
        {
            if (targets[i] == ignoreIndex) continue;
            if ((uint)targets[i] >= (uint)c)
                throw new IndexOutOfRangeException($"CrossEntropy: target {targets[i]} at row {i} is outside [0, {c}).");
            count++;
        }
        var probs = BufferPool.Shared.Rent(n * c, false);
        var xs = logits.Span;
        double loss = 0;
        for (int i = 0; i < n; i++)
        {
            if (targets[i] == ignoreIndex) continue;
            var row = xs.Slice(i * c, c);
            float lse = LogSumExp(row);
            loss += lse - row[targets[i]];
            SoftmaxRow(row, probs.AsSpan(i * c, c));
        }
        var y = Tensor.Pooled([]);
        y.Span[0] = count == 0 ? 0f : (float)(loss / count);
        if (!Backprop.Tracks(logits)) { BufferPool.Shared.Return(probs); return y; }
        var node = Backprop.Record(y, "cross_entropy", [logits], g =>
        {
            if (count == 0) return;
            float scale = g.Span[0] / count;
            var gx = Backprop.GradSpan(logits);
            for (int i = 0; i < n; i++)
            {
                if (targets[i] == ignoreIndex) continue;
                var dst = gx.Slice(i * c, c);
                TensorPrimitives.MultiplyAdd(probs.AsSpan(i * c, c), scale, dst, dst);
                dst[targets[i]] -= scale;
            }
        });
        node.Save(probs);
        return y;
    }

    /// <summary>Mean binary cross-entropy on logits: mean(max(x,0) − x·t + log(1+e^{−|x|})).</summary>
    public static Tensor BceWithLogits(Tensor logits, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        if (!ShapeUtil.Equal(logits.Shape, targets.Shape))
            throw new ArgumentException($"BceWithLogits: logits {logits.Describe()} and targets {targets.Describe()} differ in shape.");
        int n = logits.Size;
        var xs = logits.Span;
        var ts = targets.Span;
        double loss = 0;
        for (int i = 0; i < n; i++)
        {
            float x = xs[i];
            loss += MathF.Max(x, 0f) - x * ts[i] + MathF.Log(1f + MathF.Exp(-MathF.Abs(x)));
        }
        var y = Tensor.Pooled([]);
        y.Span[0] = n == 0 ? 0f : (float)(loss / n);
        if (Backprop.Tracks(logits, targets))
            Backprop.Record(y, "bce_with_logits", [logits, targets], g =>
            {
                float scale = g.Span[0] / n;
                var x = logits.Span;
                var t = targets.Span;
                if (logits.RequiresGrad)
                {
                    var gx = Backprop.GradSpan(logits);
                    for (int i = 0; i < n; i++) gx[i] += scale * (Scalar.Sigmoid(x[i]) - t[i]);
                }
                if (targets.RequiresGrad)
                {
                    var gt = Backprop.GradSpan(targets);
                    for (int i = 0; i < n; i++) gt[i] -= scale * x[i];
                }
            });
        return y;
    }

    /// <summary>Fused BPR loss: −mean log σ(pos − neg) over paired scores of equal shape.</summary>
    public static Tensor BprLoss(Tensor positive, Tensor negative)
    {
        ArgumentNullException.ThrowIfNull(positive);
        ArgumentNullException.ThrowIfNull(negative);
        if (!ShapeUtil.Equal(positive.Shape, negative.Shape))
            throw new ArgumentException($"BprLoss: positive scores {positive.Describe()} and negative scores {negative.Describe()} differ in shape.");
        int n = positive.Size;
        var ps = positive.Span;
        var ns = negative.Span;
        double loss = 0;
        for (int i = 0; i < n; i++) loss -= Scalar.LogSigmoid(ps[i] - ns[i]);
        var y = Tensor.Pooled([]);
        y.Span[0] = n == 0 ? 0f : (float)(loss / n);
        if (Backprop.Tracks(positive, negative))
            Backprop.Record(y, "bpr_loss", [positive, negative], g =>
            {
                float scale = g.Span[0] / n;
                var p = positive.Span;
                var q = negative.Span;
                var gp = Backprop.GradSpan(positive);
                var gn = Backprop.GradSpan(negative);
                for (int i = 0; i < n; i++)
                {
                    float s = scale * Scalar.Sigmoid(q[i] - p[i]);
                    if (!gp.IsEmpty) gp[i] -= s;
                    if (!gn.IsEmpty) gn[i] += s;
                }
            });
        return y;
    }
}
