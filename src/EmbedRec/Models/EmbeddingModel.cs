using EmbedRec.Losses;
using EmbedRec.Data.Sampling;
using EmbedRec.Evaluation;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Kernels;
using EmbedRec.Tensors.Nn;

namespace EmbedRec.Models;

/// <summary>
/// Shared machinery of models that score by a dot product of final user and item embeddings
/// (MF, LightGCN): scoring blocks with one GEMM against cached final embeddings, checkpoints through
/// the network's state dict. They are trained by the pairwise objectives (<see cref="IPairwiseScorer"/>)
/// and by the spectral ones (<see cref="IRowEncoder"/>).
/// </summary>
public abstract class EmbeddingModel : IPairwiseScorer, IRowEncoder, IFinalEmbeddings, IEmbeddingTables
{
    private float[]? _userFinal, _itemFinal;

    /// <summary>Creates the model over the given id space.</summary>
    protected EmbeddingModel(int users, int items, int dim)
    {
        if (users < 1 || items < 1 || dim < 1) throw new ArgumentOutOfRangeException(nameof(users), $"Need positive sizes, got {users} users, {items} items, dimension {dim}.");
        UserCount = users;
        ItemCount = items;
        Dim = dim;
    }

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public int UserCount { get; }

    /// <inheritdoc />
    public int ItemCount { get; }

    /// <summary>Embedding dimension.</summary>
    public int Dim { get; }

    /// <inheritdoc />
    public abstract Module Network { get; }

    /// <inheritdoc />
    public abstract IReadOnlyList<EmbeddingTable> Tables { get; }

    /// <summary>Final user and item embeddings [users, d] and [items, d], recorded for gradients.</summary>
    protected abstract (Tensor Users, Tensor Items) FinalEmbeddings();

    /// <summary>The final embeddings with gradients recorded (for models built on this encoder).</summary>
    public (Tensor Users, Tensor Items) Encode()
    {
        _userFinal = _itemFinal = null;
        return FinalEmbeddings();
    }

    /// <summary>
    /// The given rows of the final user and item embeddings, with gradients recorded: what a model that
    /// only looks at batch rows (DirectSpec, DirectAU) needs. Equal to gathering from <see cref="Encode"/>,
    /// which is the default; encoders whose full final embeddings are costly (LightGCN) compute just the rows.
    /// </summary>
    public (Tensor Users, Tensor Items) EncodeRows(int[] users, int[] items)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(items);
        _userFinal = _itemFinal = null;
        return FinalRows(users, items);
    }

    /// <summary>
    /// Whether <see cref="Forward"/> should score a batch from <see cref="FinalRows"/> rather than from the
    /// full <see cref="FinalEmbeddings"/> (true when the encoder computes rows more cheaply than the whole table).
    /// </summary>
    protected virtual bool PrefersRows => false;

    /// <summary>Rows of the final embeddings; by default gathered from <see cref="FinalEmbeddings"/>.</summary>
    protected virtual (Tensor Users, Tensor Items) FinalRows(int[] users, int[] items)
    {
        var (u, i) = FinalEmbeddings();
        return (Ops.Gather(u, users), Ops.Gather(i, items));
    }

    /// <summary>The penalty for a batch (e.g. L2 on its embeddings), or null.</summary>
    protected virtual Tensor? Regularization(TripletBatch batch) => null;

    /// <inheritdoc />
    public BatchScores Forward(TripletBatch batch, bool allItems)
    {
        ArgumentNullException.ThrowIfNull(batch);
        _userFinal = _itemFinal = null;
        int b = batch.Count, n = batch.NegativesPerPositive;
        var uIdx = batch.Users.AsSpan(0, b).ToArray();
        if (!allItems && PrefersRows)
        {
            var wanted = new int[b * (1 + n)];
            batch.Positives.AsSpan(0, b).CopyTo(wanted);
            batch.Negatives.AsSpan(0, b * n).CopyTo(wanted.AsSpan(b));
            var (ur, ir) = FinalRows(uIdx, wanted);
            var posScores = Ops.RowDot(ur, Ops.Slice(ir, 0, 0, b));
            var userRows = n == 1 ? ur : Ops.Gather(ur, Repeat([.. Enumerable.Range(0, b)], n));
            var negScores = Ops.RowDot(userRows, Ops.Slice(ir, 0, b, b * n));
            return new BatchScores(posScores, negScores, null, Regularization(batch));
        }
        var (users, items) = FinalEmbeddings();
        var u = Ops.Gather(users, uIdx);
        var pos = Ops.RowDot(u, Ops.Gather(items, batch.Positives.AsSpan(0, b).ToArray()));
        var neg = Ops.RowDot(n == 1 ? u : Ops.Gather(users, Repeat(uIdx, n)), Ops.Gather(items, batch.Negatives.AsSpan(0, b * n).ToArray()));
        var all = allItems ? Ops.MatMul(u, items, false, true) : null;
        return new BatchScores(pos, neg, all, Regularization(batch));
    }

    private static int[] Repeat(int[] x, int n)
    {
        if (n == 1) return x;
        var r = new int[x.Length * n];
        for (int i = 0; i < x.Length; i++) r.AsSpan(i * n, n).Fill(x[i]);
        return r;
    }

    /// <inheritdoc />
    public void PrepareForScoring()
    {
        using var _ = GradMode.NoGrad();
        var (u, i) = FinalEmbeddings();
        _userFinal = u.ToArray();
        _itemFinal = i.ToArray();
    }

    /// <summary>The final embeddings as arrays (computed on demand).</summary>
    public (float[] Users, float[] Items) Embeddings()
    {
        if (_userFinal is null || _itemFinal is null) PrepareForScoring();
        return (_userFinal!, _itemFinal!);
    }

    /// <inheritdoc />
    public void Score(ReadOnlySpan<int> users, ScoringContext context, Span<float> scores)
    {
        var (ue, ie) = Embeddings();
        int b = users.Length, d = Dim;
        ScoreArgs.Check(users, UserCount, ItemCount, scores.Length);
        var block = new float[b * d];
        for (int k = 0; k < b; k++) ue.AsSpan(users[k] * d, d).CopyTo(block.AsSpan(k * d, d));
        Blas.Current.Sgemm(false, true, b, ItemCount, d, 1f, block, d, ie, d, 0f, scores, ItemCount);
    }

    /// <inheritdoc />
    public void Save(string path) => Network.Save(path, new Dictionary<string, string> { ["model"] = Name });

    /// <inheritdoc />
    public void Load(string path)
    {
        Network.Load(path);
        _userFinal = _itemFinal = null;
    }
}
