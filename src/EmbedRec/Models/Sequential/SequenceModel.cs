using EmbedRec.Evaluation;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Nn;

namespace EmbedRec.Models.Sequential;

/// <summary>
/// What every sequence model shares: its id spaces, scoring through <see cref="SequenceScorer"/> (with the popularity
/// fallback for an empty history), its item table with the padding/mask rows outside the row map, and saving its network.
/// A model adds its network, its encoder and its output layer.
/// </summary>
public abstract class SequenceModel : ISequenceModel
{
    private readonly SequenceScorer _scorer;

    /// <summary>Checks the id spaces and sets up scoring.</summary>
    protected SequenceModel(string name, int users, int items, float[] popularity)
    {
        if (users < 1 || items < 1) throw new ArgumentException($"{name} needs users and items, got {users} × {items}.");
        Name = name;
        UserCount = users;
        ItemCount = items;
        _scorer = new SequenceScorer(this, popularity);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int UserCount { get; }

    /// <inheritdoc />
    public int ItemCount { get; }

    /// <inheritdoc />
    public abstract Module Network { get; }

    /// <inheritdoc />
    public abstract int MaxLength { get; }

    /// <inheritdoc />
    public abstract int TokenOffset { get; }

    /// <inheritdoc />
    public abstract int Dim { get; }

    /// <inheritdoc />
    public virtual int? ScoringSuffix => null;

    /// <inheritdoc />
    public abstract (Tensor Weight, Tensor? Bias) Output { get; }

    /// <inheritdoc />
    public abstract Tensor ItemEmbeddingTable { get; }

    /// <inheritdoc />
    /// <remarks>The item embedding table; rows below <see cref="TokenOffset"/> (padding, mask) are outside the row map.</remarks>
    public virtual IReadOnlyList<EmbeddingTable> Tables => [EmbeddingTable.Items("item.weight", ItemEmbeddingTable, ItemCount, first: TokenOffset)];

    /// <summary>Users scored from popularity because their visible history was empty.</summary>
    public int EmptyHistoryUsers => _scorer.EmptyHistoryUsers;

    /// <inheritdoc />
    public abstract Tensor Encode(SequenceInput input, bool lastOnly);

    /// <inheritdoc />
    public void PrepareForScoring() { }

    /// <inheritdoc />
    public void Score(ReadOnlySpan<int> users, ScoringContext context, Span<float> scores) => _scorer.Score(users, context, scores);

    /// <inheritdoc />
    public void Save(string path) => Network.Save(path, new Dictionary<string, string> { ["model"] = Name });

    /// <inheritdoc />
    public void Load(string path) => Network.Load(path);
}
