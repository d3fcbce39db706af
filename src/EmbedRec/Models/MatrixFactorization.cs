using EmbedRec.Data.Sampling;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Nn;

namespace EmbedRec.Models;

/// <summary>Options of <see cref="MatrixFactorization"/>.</summary>
public sealed record MfOptions
{
    /// <summary>Embedding size (RecBole's <c>embedding_size</c>; 64 in the SEvo and DirectSpec experiments).</summary>
    public int EmbeddingSize { get; init; } = 64;

    /// <summary>Standard deviation of the N(0, σ²) initialization; SEvo's MF uses N(0, 1e-4), i.e. σ = 0.01.</summary>
    public float InitStd { get; init; } = 0.01f;

    /// <summary>Weight of the L2 penalty on the batch's embeddings, (‖u‖² + ‖i⁺‖² + ‖i⁻‖²)/2 per triple (RecBole's <c>reg_weight</c>); 0 leaves regularization to the optimizer's weight decay.</summary>
    public float RegWeight { get; init; }
}

/// <summary>
/// Matrix factorization scored by ⟨e_u, e_i⟩ and trained with BPR: Rendle, Freudenthaler, Gantner and
/// Schmidt-Thieme, "BPR: Bayesian Personalized Ranking from Implicit Feedback", UAI 2009.
/// Parameters: <c>user.weight</c> [users, d], <c>item.weight</c> [items, d].
/// </summary>
public sealed class MatrixFactorization : EmbeddingModel, IEmbeddingTables
{
    private readonly Net _net;

    /// <summary>Creates the model.</summary>
    public MatrixFactorization(int users, int items, MfOptions options, Rng rng) : base(users, items, (options ?? new MfOptions()).EmbeddingSize)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Options = options ?? new MfOptions();
        _net = new Net(users, items, Options, rng);
    }

    /// <summary>The options.</summary>
    public MfOptions Options { get; }

    /// <inheritdoc />
    public override string Name => "mf";

    /// <inheritdoc />
    public override Module Network => _net;

    /// <summary>User embeddings [users, d].</summary>
    public Tensor UserEmbedding => _net.User.Weight;

    /// <summary>Item embeddings [items, d].</summary>
    public Tensor ItemEmbedding => _net.Item.Weight;

    /// <inheritdoc />
    public Tensor? UserTable => _net.User.Weight;

    /// <inheritdoc />
    public Tensor? ItemTable => _net.Item.Weight;

    /// <inheritdoc />
    public Tensor? JointTable => null;

    /// <inheritdoc />
    protected override (Tensor Users, Tensor Items) FinalEmbeddings() => (_net.User.Weight, _net.Item.Weight);

    /// <inheritdoc />
    protected override Tensor? Regularization(TripletBatch batch)
    {
        if (Options.RegWeight == 0) return null;
        int b = batch.Count;
        var u = Ops.Gather(_net.User.Weight, batch.Users.AsSpan(0, b).ToArray());
        var p = Ops.Gather(_net.Item.Weight, batch.Positives.AsSpan(0, b).ToArray());
        var n = Ops.Gather(_net.Item.Weight, batch.Negatives.AsSpan(0, b * batch.NegativesPerPositive).ToArray());
        var sq = Ops.Add(Ops.Add(Ops.Sum(Ops.Mul(u, u)), Ops.Sum(Ops.Mul(p, p))), Ops.Sum(Ops.Mul(n, n)));
        return Ops.MulScalar(sq, Options.RegWeight / (2f * b));
    }

    private sealed class Net : Module
    {
        public Net(int users, int items, MfOptions o, Rng rng)
        {
            User = RegisterModule("user", new Embedding(users, o.EmbeddingSize, rng, sparse: true));
            Item = RegisterModule("item", new Embedding(items, o.EmbeddingSize, rng, sparse: true));
            Init.Normal(User.Weight, rng, 0, o.InitStd);
            Init.Normal(Item.Weight, rng, 0, o.InitStd);
        }

        public Embedding User { get; }
        public Embedding Item { get; }
    }
}
