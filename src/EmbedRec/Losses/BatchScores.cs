using EmbedRec.Tensors;

namespace EmbedRec.Losses;

/// <summary>Differentiable scores of one training batch.</summary>
/// <param name="Positive">[B] scores of (user, positive item).</param>
/// <param name="Negative">[B × n] scores of (user, negative item), n negatives per positive.</param>
/// <param name="All">[B × items] scores over all items, when asked for (softmax cross-entropy).</param>
/// <param name="Regularization">A model-specific penalty already weighted (e.g. LightGCN's L2 on layer-0 embeddings), or null.</param>
public sealed record BatchScores(Tensor Positive, Tensor Negative, Tensor? All, Tensor? Regularization);
