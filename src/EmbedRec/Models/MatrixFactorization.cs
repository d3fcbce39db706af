using EmbedRec.Config;
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
public sealed class MatrixFactorization : EmbeddingModel
{
    /// <summary>The <c>model:</c> keys of MF.</summary>
    public static readonly OptionsBinder<MfOptions> Binder = new OptionsBinder<MfOptions>(new())
        .Int("embedding_size", o => o.EmbeddingSize, (o, v) => o with { EmbeddingSize = v }, "embedding size d", min: 1)
        .Float("init_std", o => o.InitStd, (o, v) => o with { InitStd = v }, "σ of the N(0, σ²) initialization", min: 0)
        .Float("reg_weight", o => o.RegWeight, (o, v) => o with { RegWeight = v }, "L2 weight on the batch's embeddings (RecBole's reg_weight)", min: 0);

    /// <summary>The registration: <c>model: mf</c> (alias bpr), trained with BPR by default.</summary>
    public static readonly ModelRegistration Registration = ModelRegistration.For("mf", "matrix factorization (Rendle et al., UAI 2009)", Binder,
        (o, c) => new MatrixFactorization(c.Split.UserCount, c.Split.ItemCount, o, c.Rng), defaultObjective: "bpr", aliases: ["bpr"],
        contract: new ContractSettings(new Dictionary<string, string> { ["model.init_std"] = "0.1" }));

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
    public override IReadOnlyList<EmbeddingTable> Tables =>
        [EmbeddingTable.Users("user.weight", _net.User.Weight, UserCount), EmbeddingTable.Items("item.weight", _net.Item.Weight, ItemCount)];

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
