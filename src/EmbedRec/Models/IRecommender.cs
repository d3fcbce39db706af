using EmbedRec.Data.Sampling;
using EmbedRec.Evaluation;
using EmbedRec.Losses;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Nn;

namespace EmbedRec.Models;

/// <summary>
/// The one model contract (DESIGN decision 7): every model scores users over all items given the visible
/// history (<see cref="IScorer"/>) and saves/loads what it learned as safetensors. How a trainable model
/// is trained is not its business: a training objective owns batches and loss.
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

/// <summary>A neural model trained by gradient descent on the loss of a training objective.</summary>
public interface ITrainable : IRecommender
{
    /// <summary>The parameters (and their names in checkpoints); the trainer switches its train/eval mode.</summary>
    Module Network { get; }

    /// <summary>Called after parameters change and before scoring (in eval mode), e.g. to propagate and cache embeddings.</summary>
    void PrepareForScoring();
}

/// <summary>A model that scores (user, positive, negatives) triples: what the pairwise objectives (BPR, BCE, softmax CE) train.</summary>
public interface IPairwiseScorer : ITrainable
{
    /// <summary>Scores the batch with gradients recorded (<paramref name="allItems"/>: also every item, for softmax CE).</summary>
    BatchScores Forward(TripletBatch batch, bool allItems);
}

/// <summary>A model with final user and item representations whose rows can be computed with gradients: what the spectral objectives train.</summary>
public interface IRowEncoder : ITrainable
{
    /// <summary>Representation size.</summary>
    int Dim { get; }

    /// <summary>Rows of the final user and item representations, with gradients recorded.</summary>
    (Tensor Users, Tensor Items) EncodeRows(int[] users, int[] items);
}

/// <summary>A model whose final item (and user) embeddings can be read out for diagnostics (effective rank, smoothness, spectrum).</summary>
public interface IFinalEmbeddings
{
    /// <summary>Embedding size.</summary>
    int Dim { get; }

    /// <summary>Final user [users × Dim] and item [items × Dim] embeddings, row-major.</summary>
    (float[] Users, float[] Items) Embeddings();
}
