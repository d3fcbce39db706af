using EmbedRec.Data.Sampling;
using EmbedRec.Tensors;

namespace EmbedRec.Losses;

/// <summary>BPR, BCE with sampled negatives and softmax cross-entropy over all items, usable by any model's <see cref="BatchScores"/>.</summary>
public static class RecLoss
{
    /// <summary>The batch loss (plus the model's regularization term).</summary>
    public static Tensor Compute(LossKind kind, BatchScores scores, TripletBatch batch)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(batch);
        int b = batch.Count, n = batch.NegativesPerPositive;
        Tensor loss;
        switch (kind)
        {
            case LossKind.Bpr:
                {
                    var pos = n == 1 ? scores.Positive : Ops.Reshape(Ops.Mul(Ops.Reshape(scores.Positive, b, 1), Tensor.Ones(1, n)), b * n);
                    loss = Ops.BprLoss(pos, Ops.Reshape(scores.Negative, b * n));
                    break;
                }
            case LossKind.Bce:
                {
                    var logits = Ops.Concat([scores.Positive, Ops.Reshape(scores.Negative, b * n)], 0);
                    var labels = new float[b * (n + 1)];
                    labels.AsSpan(0, b).Fill(1f);
                    loss = Ops.BceWithLogits(logits, Tensor.FromArray(labels, labels.Length));
                    break;
                }
            default:
                {
                    var all = scores.All ?? throw new InvalidOperationException("Softmax cross-entropy needs scores over all items.");
                    loss = Ops.CrossEntropy(all, batch.Positives.AsSpan(0, b).ToArray());
                    break;
                }
        }
        return scores.Regularization is null ? loss : Ops.Add(loss, scores.Regularization);
    }
}

/// <summary>Training losses over <see cref="BatchScores"/>.</summary>
public enum LossKind
{
    /// <summary>Bayesian personalized ranking: −log σ(pos − neg) (Rendle et al., UAI 2009).</summary>
    Bpr,

    /// <summary>Binary cross-entropy with label 1 for positives and 0 for sampled negatives.</summary>
    Bce,

    /// <summary>Softmax cross-entropy of the positive over all items.</summary>
    SoftmaxCe,
}
