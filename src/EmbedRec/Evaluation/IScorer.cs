using EmbedRec.Tensors.Kernels;

namespace EmbedRec.Evaluation;

/// <summary>What the evaluator sees of a model: scores of users over all items (higher is better).</summary>
public interface IScorer
{
    /// <summary>Items scored per user.</summary>
    int ItemCount { get; }

    /// <summary>
    /// Writes the scores of <paramref name="users"/> over all items into <paramref name="scores"/> [users × ItemCount],
    /// row-major. <paramref name="context"/> holds each user's visible history and excluded items; models that
    /// score from learned user embeddings ignore it.
    /// </summary>
    void Score(ReadOnlySpan<int> users, ScoringContext context, Span<float> scores);
}

/// <summary>Scores as dot products of user and item embeddings (MF-style), one GEMM per block of users.</summary>
public sealed class DotProductScorer : IScorer
{
    private readonly float[] _users, _items;
    private readonly int _dim;

    /// <summary>Creates the scorer from row-major [users × dim] and [items × dim] embeddings.</summary>
    public DotProductScorer(float[] userEmbeddings, float[] itemEmbeddings, int dim)
    {
        ArgumentNullException.ThrowIfNull(userEmbeddings);
        ArgumentNullException.ThrowIfNull(itemEmbeddings);
        if (dim < 1 || userEmbeddings.Length % dim != 0 || itemEmbeddings.Length % dim != 0)
            throw new ArgumentException($"Embeddings of {userEmbeddings.Length} and {itemEmbeddings.Length} floats are not whole rows of dimension {dim}.");
        _users = userEmbeddings;
        _items = itemEmbeddings;
        _dim = dim;
        ItemCount = itemEmbeddings.Length / dim;
        UserCount = userEmbeddings.Length / dim;
    }

    /// <inheritdoc />
    public int ItemCount { get; }

    /// <summary>Users with an embedding.</summary>
    public int UserCount { get; }

    /// <inheritdoc />
    public void Score(ReadOnlySpan<int> users, ScoringContext context, Span<float> scores)
    {
        int b = users.Length, d = _dim;
        if (scores.Length != b * ItemCount) throw new ArgumentException($"Score buffer of {scores.Length} floats for {b} users × {ItemCount} items.");
        for (int k = 0; k < b; k++)
            if ((uint)users[k] >= (uint)UserCount) throw new ArgumentOutOfRangeException(nameof(users), users[k], $"User {users[k]} has no embedding ({UserCount} users).");
        var block = System.Buffers.ArrayPool<float>.Shared.Rent(b * d);
        try
        {
            for (int k = 0; k < b; k++) _users.AsSpan(users[k] * d, d).CopyTo(block.AsSpan(k * d, d));
            Blas.Current.Sgemm(false, true, b, ItemCount, d, 1f, block.AsSpan(0, b * d), d, _items, d, 0f, scores, ItemCount);
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(block);
        }
    }
}
