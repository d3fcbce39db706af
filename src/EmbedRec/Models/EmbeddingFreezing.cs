namespace EmbedRec.Models;

/// <summary>Whether a model keeps its embedding tables fixed during training (<see cref="IFreezesInitializedEmbeddings"/>).</summary>
public enum EmbeddingFreezing
{
    /// <summary>Fixed when the run's initializer computed them from the data (spectral, SVD, a trained run), trained otherwise.</summary>
    Auto,

    /// <summary>Always fixed.</summary>
    Frozen,

    /// <summary>Always trained.</summary>
    Trained,
}

/// <summary>
/// Options of a model whose reference code keeps initialized embedding tables fixed (DLR2: the authors load LE and Leporid
/// vectors with <c>nn.Embedding.from_pretrained</c>, which freezes them, and train random ones). The run adds
/// <see cref="FrozenParameters"/> to the trainer's <c>freeze</c> list (<c>RunSpec.Frozen</c>) and records the whole list
/// in <c>metrics.json</c>; the list can only grow this way, never lose a name the configuration gave.
/// </summary>
public interface IFreezesInitializedEmbeddings
{
    /// <summary>The parameters to keep fixed, given whether the run's initializer computed its vectors from the data.</summary>
    IReadOnlyList<string> FrozenParameters(bool initializedFromData);
}
