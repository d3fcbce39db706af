using EmbedRec.Data.Sampling;
using EmbedRec.Tensors;

namespace EmbedRec.Objectives;

/// <summary>
/// How a model is trained (DESIGN decision 7): the objective owns its batches and its loss; the trainer
/// sees only steps and scalar losses. Built by its registration from an <see cref="ObjectiveContext"/>
/// and the model it trains.
/// </summary>
public interface ITrainingObjective
{
    /// <summary>The objective's name as configs write it ("bpr", "directspec+", ...).</summary>
    string Name { get; }

    /// <summary>Steps (batches) in one epoch.</summary>
    int StepsPerEpoch { get; }

    /// <summary>Trainable parameters the objective owns besides the model's (e.g. DirectSpec+'s learned Γ), by name.</summary>
    IReadOnlyList<KeyValuePair<string, Tensor>> Parameters { get; }

    /// <summary>
    /// One epoch: the loss of each step in order, each computed (forward, gradients recorded) when the
    /// enumeration reaches it. The same <paramref name="rng"/> state gives the same batches.
    /// </summary>
    IEnumerable<Tensor> Epoch(Rng rng);
}

/// <summary>
/// An objective over batches of its own type: it says how to draw an epoch of batches and the loss of one;
/// the batches are built one ahead on a worker thread (<see cref="BatchPrefetcher"/>) with the same draws.
/// </summary>
/// <typeparam name="TBatch">The batch (triples, padded sequences, DLR2 windows, ...).</typeparam>
public abstract class BatchObjective<TBatch> : ITrainingObjective where TBatch : class
{
    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public abstract int StepsPerEpoch { get; }

    /// <inheritdoc />
    public virtual IReadOnlyList<KeyValuePair<string, Tensor>> Parameters => [];

    /// <summary>The batches of one epoch (the source may reuse one batch object).</summary>
    protected abstract IEnumerable<TBatch> Batches(Rng rng);

    /// <summary>An empty batch buffer for the prefetcher.</summary>
    protected abstract TBatch NewBatch();

    /// <summary>Copies a batch into a buffer from <see cref="NewBatch"/>.</summary>
    protected abstract void Copy(TBatch from, TBatch into);

    /// <summary>The loss of one batch, with gradients recorded.</summary>
    public abstract Tensor Loss(TBatch batch);

    /// <inheritdoc />
    public IEnumerable<Tensor> Epoch(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        foreach (var batch in BatchPrefetcher.Prefetch(Batches(rng), NewBatch, Copy)) yield return Loss(batch);
    }
}
