using EmbedRec.Data;
using EmbedRec.Data.Sampling;
using EmbedRec.Evaluation;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Nn;

namespace EmbedRec.Models;

/// <summary>
/// The one model contract (DESIGN decision 7): every model scores users over all items for the
/// evaluator, and saves/loads what it learned as safetensors.
/// </summary>
public interface IRecommender : IScorer
{
    /// <summary>Model name as used in configs ("mf", "lightgcn", ...).</summary>
    string Name { get; }

    /// <summary>Users the model can score.</summary>
    int UserCount { get; }

    /// <summary>Writes the learned state.</summary>
    void Save(string path);

    /// <summary>Reads a state written by <see cref="Save"/> for the same data and options.</summary>
    void Load(string path);
}

/// <summary>
/// A non-neural model fitted in one pass (popularity, KNN, EASE). It is built over the training
/// interactions, which it also uses at scoring time (the user histories the scores sum over).
/// </summary>
public interface IFittable : IRecommender
{
    /// <summary>Fits the model to the training interactions it was built with.</summary>
    void Fit();
}

/// <summary>Differentiable scores of one training batch.</summary>
/// <param name="Positive">[B] scores of (user, positive item).</param>
/// <param name="Negative">[B × n] scores of (user, negative item), n negatives per positive.</param>
/// <param name="All">[B × items] scores over all items, when asked for (softmax cross-entropy).</param>
/// <param name="Regularization">A model-specific penalty already weighted (e.g. LightGCN's L2 on layer-0 embeddings), or null.</param>
public sealed record BatchScores(Tensor Positive, Tensor Negative, Tensor? All, Tensor? Regularization);

/// <summary>A neural model trained by gradient descent on (user, positive, negatives) batches.</summary>
public interface ITrainable : IRecommender
{
    /// <summary>The parameters (and their names in checkpoints).</summary>
    Module Network { get; }

    /// <summary>The loss the model's paper uses.</summary>
    LossKind DefaultLoss { get; }

    /// <summary>Scores the batch with gradients recorded.</summary>
    BatchScores Forward(TripletBatch batch, bool allItems);

    /// <summary>Called after parameters change and before scoring for evaluation (e.g. to propagate and cache embeddings).</summary>
    void PrepareForScoring();
}

/// <summary>
/// A model whose parameters include embedding tables that structure-aware optimizers (SEvo) can smooth:
/// separate user and item tables, or one joint [users; items] table.
/// </summary>
public interface IEmbeddingTables
{
    /// <summary>User table [users, d], or null when the model has a joint table.</summary>
    Tensor? UserTable { get; }

    /// <summary>Item table [items, d], or null when the model has a joint table.</summary>
    Tensor? ItemTable { get; }

    /// <summary>Joint table [users + items, d], or null.</summary>
    Tensor? JointTable { get; }
}

/// <summary>A model that defines its own training loss (DirectSpec, DirectAU); the trainer calls it instead of <see cref="Losses.RecLoss"/>.</summary>
public interface ICustomLoss
{
    /// <summary>The loss of a batch, with gradients recorded.</summary>
    Tensor Loss(TripletBatch batch);

    /// <summary>The smallest batch the loss is defined for.</summary>
    int MinimumBatchSize { get; }

    /// <summary>
    /// Whether the method draws its batches as users sampled uniformly, one positive each (DirectSpec),
    /// rather than as training interactions (DirectAU); the <c>sampling</c> key overrides it.
    /// </summary>
    bool SamplesUsers { get; }
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
