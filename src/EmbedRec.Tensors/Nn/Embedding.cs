namespace EmbedRec.Tensors.Nn;

/// <summary>
/// A lookup table of <c>count</c> vectors of <c>dim</c> floats (PyTorch's nn.Embedding,
/// initialized N(0, 1)). With <c>sparse</c> the table's gradient is row-sparse: only the looked-up
/// rows, which optimizers and SEvo treat as the step's active rows. The padding row starts at zero
/// and never receives a gradient.
/// </summary>
public sealed class Embedding : Module
{
    /// <summary>Creates the table.</summary>
    public Embedding(int count, int dim, Rng rng, int paddingIndex = -1, bool sparse = false)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (count <= 0 || dim <= 0) throw new ArgumentOutOfRangeException(nameof(count), $"Embedding needs positive sizes, got {count}×{dim}.");
        if (paddingIndex < -1 || paddingIndex >= count)
            throw new ArgumentOutOfRangeException(nameof(paddingIndex), paddingIndex, $"Padding index must be −1 (none) or in [0, {count}).");
        PaddingIndex = paddingIndex;
        Weight = RegisterParameter("weight", Init.Normal(Tensor.Zeros(count, dim), rng));
        Weight.SparseGradients = sparse;
        if (paddingIndex >= 0) Weight.Span.Slice(paddingIndex * dim, dim).Clear();
    }

    /// <summary>The table [count, dim].</summary>
    public Tensor Weight { get; }

    /// <summary>The padding row, or −1.</summary>
    public int PaddingIndex { get; }

    /// <summary>Looks up <paramref name="indices"/> (shape <paramref name="indexShape"/>, default 1-D) → indexShape + [dim].</summary>
    public Tensor Forward(int[] indices, int[]? indexShape = null) => Ops.Gather(Weight, indices, indexShape, PaddingIndex);
}
