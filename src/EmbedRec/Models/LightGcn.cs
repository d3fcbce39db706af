using EmbedRec.Config;
using EmbedRec.Data;
using EmbedRec.Data.Sampling;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Nn;
using EmbedRec.Tensors.Sparse;

namespace EmbedRec.Models;

/// <summary>Options of <see cref="LightGcn"/>; defaults from the paper and its code.</summary>
public sealed record LightGcnOptions
{
    /// <summary>Embedding size.</summary>
    public int EmbeddingSize { get; init; } = 64;

    /// <summary>Propagation layers K (the paper's default 3).</summary>
    public int Layers { get; init; } = 3;

    /// <summary>Weight of the L2 penalty on the batch's layer-0 embeddings (the paper's λ = 1e-4).</summary>
    public float RegWeight { get; init; } = 1e-4f;

    /// <summary>σ of the N(0, σ²) initialization (the authors' code: 0.1).</summary>
    public float InitStd { get; init; } = 0.1f;
}

/// <summary>
/// LightGCN: He, Deng, Wang, Li, Zhang and Wang, "LightGCN: Simplifying and Powering Graph Convolution
/// Network for Recommendation", SIGIR 2020. Embeddings E⁰ of [users; items] are propagated over the
/// symmetrically normalized bipartite graph Â (built from training interactions), E^(k+1) = Â E^k, and
/// averaged over layers 0..K; scores are dot products of the averaged embeddings; BPR loss plus
/// λ·(‖e⁰_u‖² + ‖e⁰_i⁺‖² + ‖e⁰_i⁻‖²)/(2B) on layer-0 rows. Parameter: <c>embedding.weight</c> [users + items, d].
/// </summary>
public sealed class LightGcn : EmbeddingModel
{
    /// <summary>The <c>model:</c> keys of LightGCN.</summary>
    public static readonly OptionsBinder<LightGcnOptions> Binder = new OptionsBinder<LightGcnOptions>(new())
        .Int("embedding_size", o => o.EmbeddingSize, (o, v) => o with { EmbeddingSize = v }, "embedding size d", min: 1)
        .Int("n_layers", o => o.Layers, (o, v) => o with { Layers = v }, "propagation layers K", min: 0, max: 64)
        .Float("reg_weight", o => o.RegWeight, (o, v) => o with { RegWeight = v }, "λ of the L2 penalty on the batch's layer-0 embeddings", min: 0)
        .Float("init_std", o => o.InitStd, (o, v) => o with { InitStd = v }, "σ of the N(0, σ²) initialization", min: 0);

    /// <summary>The registration: <c>model: lightgcn</c>, trained with BPR by default.</summary>
    public static readonly ModelRegistration Registration = ModelRegistration.For("lightgcn", "LightGCN (He et al., SIGIR 2020)", Binder,
        (o, c) => new LightGcn(c.Split.Train, o, c.Rng), defaultObjective: "bpr");

    private readonly Net _net;

    /// <summary>Creates the model over the training interactions.</summary>
    public LightGcn(InteractionLog train, LightGcnOptions options, Rng rng) : base(train.UserCount, train.ItemCount, (options ?? new LightGcnOptions()).EmbeddingSize)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(rng);
        Options = options ?? new LightGcnOptions();
        if (Options.Layers < 0) throw new ArgumentOutOfRangeException(nameof(options), Options.Layers, "LightGCN needs a non-negative number of layers.");
        Graph = BipartiteGraph(train);
        _net = new Net(train.UserCount + train.ItemCount, Options, rng);
    }

    /// <summary>The options.</summary>
    public LightGcnOptions Options { get; }

    /// <summary>Â over [users; items].</summary>
    public CsrMatrix<float> Graph { get; }

    /// <inheritdoc />
    public override string Name => "lightgcn";

    /// <inheritdoc />
    public override Module Network => _net;

    /// <summary>Layer-0 embeddings [users + items, d].</summary>
    public Tensor Embedding0 => _net.Embedding.Weight;

    /// <inheritdoc />
    public override IReadOnlyList<EmbeddingTable> Tables => [EmbeddingTable.Joint("embedding.weight", _net.Embedding.Weight, UserCount, ItemCount)];

    /// <summary>D^-½ A D^-½ of the user–item graph with users first, one edge per distinct interaction.</summary>
    public static CsrMatrix<float> BipartiteGraph(InteractionLog train) => Graphs.ItemGraphs.Bipartite(train).SymmetricNormalize();

    /// <summary>The layer-averaged propagated embeddings [users + items, d].</summary>
    public Tensor Propagate()
    {
        var e = _net.Embedding.Weight;
        var sum = e;
        var cur = e;
        for (int l = 0; l < Options.Layers; l++)
        {
            cur = Ops.SpMM(Graph, cur);
            sum = Ops.Add(sum, cur);
        }
        return Options.Layers == 0 ? sum : Ops.MulScalar(sum, 1f / (Options.Layers + 1));
    }

    /// <inheritdoc />
    protected override (Tensor Users, Tensor Items) FinalEmbeddings()
    {
        var all = Propagate();
        return (Ops.Slice(all, 0, 0, UserCount), Ops.Slice(all, 0, UserCount, ItemCount));
    }

    /// <inheritdoc />
    protected override bool PrefersRows => true;

    /// <inheritdoc />
    /// <remarks>One fused propagation of just the batch rows (<see cref="Ops.PropagateRows"/>), users first.</remarks>
    protected override (Tensor Users, Tensor Items) FinalRows(int[] users, int[] items)
    {
        var nodes = new int[users.Length + items.Length];
        users.CopyTo(nodes, 0);
        for (int k = 0; k < items.Length; k++) nodes[users.Length + k] = UserCount + items[k];
        var rows = Ops.PropagateRows(Graph, _net.Embedding.Weight, Options.Layers, nodes, 1f / (Options.Layers + 1));
        return (Ops.Slice(rows, 0, 0, users.Length), Ops.Slice(rows, 0, users.Length, items.Length));
    }

    /// <inheritdoc />
    protected override Tensor? Regularization(TripletBatch batch)
    {
        if (Options.RegWeight == 0) return null;
        int b = batch.Count, nu = UserCount;
        var idx = new int[b * (2 + batch.NegativesPerPositive)];
        int k = 0;
        for (int j = 0; j < b; j++) { idx[k++] = batch.Users[j]; idx[k++] = nu + batch.Positives[j]; }
        for (int j = 0; j < b * batch.NegativesPerPositive; j++) idx[k++] = nu + batch.Negatives[j];
        var rows = Ops.Gather(_net.Embedding.Weight, idx);
        return Ops.MulScalar(Ops.Sum(Ops.Mul(rows, rows)), Options.RegWeight / (2f * b));
    }

    private sealed class Net : Module
    {
        public Net(int nodes, LightGcnOptions o, Rng rng)
        {
            Embedding = RegisterModule("embedding", new Embedding(nodes, o.EmbeddingSize, rng));
            Init.Normal(Embedding.Weight, rng, 0, o.InitStd);
        }

        public Embedding Embedding { get; }
    }
}
