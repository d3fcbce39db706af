using EmbedRec.Losses;
using EmbedRec.Config;
using EmbedRec.Evaluation;
using EmbedRec.Data.Sampling;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Kernels;
using EmbedRec.Tensors.Nn;

namespace EmbedRec.Models;

/// <summary>Options of <see cref="NeuMf"/>; defaults follow the paper's best setting at 64 factors.</summary>
public sealed record NeuMfOptions
{
    /// <summary>GMF embedding size.</summary>
    public int GmfSize { get; init; } = 64;

    /// <summary>MLP embedding size per side (the first MLP layer sees twice this).</summary>
    public int MlpEmbeddingSize { get; init; } = 32;

    /// <summary>MLP hidden layer sizes (tower), ReLU between.</summary>
    public IReadOnlyList<int> MlpLayers { get; init; } = [64, 32, 16];

    /// <summary>σ of the N(0, σ²) embedding initialization (the paper's 0.01).</summary>
    public float InitStd { get; init; } = 0.01f;

    /// <summary>The <c>model:</c> keys of NeuMF.</summary>
    public static readonly OptionsBinder<NeuMfOptions> Binder = new OptionsBinder<NeuMfOptions>(new())
        .Int("gmf_size", o => o.GmfSize, (o, v) => o with { GmfSize = v }, "GMF embedding size", min: 1)
        .Int("mlp_embedding_size", o => o.MlpEmbeddingSize, (o, v) => o with { MlpEmbeddingSize = v }, "MLP embedding size per side", min: 1)
        .IntList("mlp_layers", o => o.MlpLayers, (o, v) => o with { MlpLayers = v }, "MLP tower widths", min: 1)
        .Float("init_std", o => o.InitStd, (o, v) => o with { InitStd = v }, "σ of the N(0, σ²) embedding initialization", min: 0);
}

/// <summary>
/// Neural matrix factorization (NeuMF = GMF + MLP): He, Liao, Zhang, Nie, Hu and Chua, "Neural
/// Collaborative Filtering", WWW 2017. Logit = wᵀ[p_u ⊙ q_i ; MLP([p'_u ; q'_i])] + b; trained with binary
/// cross-entropy on sampled negatives. Full scoring splits the first MLP layer into its user and item
/// halves so each user's scores over all items cost two GEMMs per layer.
/// </summary>
public sealed class NeuMf : IPairwiseScorer, IEmbeddingTables
{
    /// <summary>The registration: <c>model: neumf</c>, trained with BCE on 4 sampled negatives per positive (the paper's setting).</summary>
    public static readonly ModelRegistration Registration = ModelRegistration.For("neumf", "NeuMF (He et al., WWW 2017)", NeuMfOptions.Binder,
        (o, c) => new NeuMf(c.Split.UserCount, c.Split.ItemCount, o, c.Rng), defaultObjective: "bce",
        objectiveDefaults: new Dictionary<string, string> { ["neg_samples"] = "4" },
        contract: new ContractSettings(new Dictionary<string, string> { ["learning_rate"] = "0.002" }, Epochs: 30));

    private readonly Net _net;

    /// <summary>Creates the model.</summary>
    public NeuMf(int users, int items, NeuMfOptions options, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Options = options ?? new NeuMfOptions();
        if (users < 1 || items < 1 || Options.MlpLayers.Count == 0) throw new ArgumentException("NeuMF needs users, items and at least one MLP layer.");
        UserCount = users;
        ItemCount = items;
        _net = new Net(users, items, Options, rng);
    }

    /// <summary>The options.</summary>
    public NeuMfOptions Options { get; }

    /// <inheritdoc />
    public string Name => "neumf";

    /// <inheritdoc />
    public int UserCount { get; }

    /// <inheritdoc />
    public int ItemCount { get; }

    /// <inheritdoc />
    public Module Network => _net;

    /// <inheritdoc />
    /// <remarks>The GMF tower's tables (what an initializer fills); the MLP tower keeps its own initialization.</remarks>
    public IReadOnlyList<EmbeddingTable> Tables =>
        [EmbeddingTable.Users("user_gmf.weight", _net.UserGmf.Weight, UserCount), EmbeddingTable.Items("item_gmf.weight", _net.ItemGmf.Weight, ItemCount)];

    private Tensor Logits(int[] users, int[] items)
    {
        var gmf = Ops.Mul(_net.UserGmf.Forward(users), _net.ItemGmf.Forward(items));
        var h = Ops.Concat([_net.UserMlp.Forward(users), _net.ItemMlp.Forward(items)], 1);
        foreach (var layer in _net.Tower) h = Ops.Relu(layer.Forward(h));
        var z = Ops.Concat([gmf, h], 1);
        return Ops.Reshape(_net.Output.Forward(z), users.Length);
    }

    /// <inheritdoc />
    public BatchScores Forward(TripletBatch batch, bool allItems)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (allItems) throw new NotSupportedException("NeuMF is trained with BCE or BPR on sampled negatives, not a softmax over all items.");
        int b = batch.Count, n = batch.NegativesPerPositive;
        var users = batch.Users.AsSpan(0, b).ToArray();
        var rep = new int[b * n];
        for (int k = 0; k < b; k++) rep.AsSpan(k * n, n).Fill(users[k]);
        return new BatchScores(Logits(users, batch.Positives.AsSpan(0, b).ToArray()), Logits(rep, batch.Negatives.AsSpan(0, b * n).ToArray()), null, null);
    }

    /// <inheritdoc />
    public void PrepareForScoring() { }

    /// <inheritdoc />
    public void Score(ReadOnlySpan<int> users, ScoringContext context, Span<float> scores)
    {
        ScoreArgs.Check(users, UserCount, ItemCount, scores.Length);
        using var _ = GradMode.NoGrad();
        var blas = Blas.Current;
        int nI = ItemCount, dg = Options.GmfSize, dm = Options.MlpEmbeddingSize;
        var first = _net.Tower[0];
        int h1 = first.Weight.Dim(0);
        // Item half of the first layer: C = Q'·W_iᵀ [items, h1]; user half per user: a = W_u p'_u + b1.
        var wi = Ops.Slice(first.Weight, 1, dm, dm).ToArray();
        var wu = Ops.Slice(first.Weight, 1, 0, dm).ToArray();
        var c = new float[nI * h1];
        blas.Sgemm(false, true, nI, h1, dm, 1f, _net.ItemMlp.Weight.Span, dm, wi, dm, 0f, c, h1);
        var wOut = _net.Output.Weight.Span;
        float bOut = _net.Output.Bias!.Span[0];
        var qg = _net.ItemGmf.Weight.Span;
        var a = new float[h1];
        var h = new float[nI * h1];
        var gw = new float[dg];
        for (int k = 0; k < users.Length; k++)
        {
            int u = users[k];
            var row = scores.Slice(k * nI, nI);
            // GMF part: Q_g · (p_u ⊙ w_gmf)
            TensorPrimitives.Multiply(_net.UserGmf.Weight.Span.Slice(u * dg, dg), wOut[..dg], gw);
            blas.Sgemm(false, false, nI, 1, dg, 1f, qg, dg, gw, 1, 0f, row, 1);
            // MLP part
            blas.Sgemm(false, true, 1, h1, dm, 1f, _net.UserMlp.Weight.Span.Slice(u * dm, dm), dm, wu, dm, 0f, a, h1);
            if (first.Bias is not null) TensorPrimitives.Add(a, first.Bias.Span, a);
            for (int i = 0; i < nI; i++)
            {
                var hr = h.AsSpan(i * h1, h1);
                TensorPrimitives.Add(c.AsSpan(i * h1, h1), a, hr);
                TensorPrimitives.Max(hr, 0f, hr);
            }
            var cur = h;
            int width = h1;
            for (int l = 1; l < _net.Tower.Count; l++)
            {
                var layer = _net.Tower[l];
                int outW = layer.Weight.Dim(0);
                var next = new float[nI * outW];
                for (int i = 0; i < nI; i++) layer.Bias!.Span.CopyTo(next.AsSpan(i * outW, outW));
                blas.Sgemm(false, true, nI, outW, width, 1f, cur.AsSpan(0, nI * width), width, layer.Weight.Span, width, 1f, next, outW);
                TensorPrimitives.Max(next, 0f, next);
                cur = next;
                width = outW;
            }
            var wm = wOut.Slice(dg, width).ToArray();
            blas.Sgemm(false, false, nI, 1, width, 1f, cur.AsSpan(0, nI * width), width, wm, 1, 1f, row, 1);
            TensorPrimitives.Add(row, bOut, row);
        }
    }

    /// <inheritdoc />
    public void Save(string path) => _net.Save(path, new Dictionary<string, string> { ["model"] = Name });

    /// <inheritdoc />
    public void Load(string path) => _net.Load(path);

    private sealed class Net : Module
    {
        public Net(int users, int items, NeuMfOptions o, Rng rng)
        {
            UserGmf = RegisterModule("user_gmf", new Embedding(users, o.GmfSize, rng));
            ItemGmf = RegisterModule("item_gmf", new Embedding(items, o.GmfSize, rng));
            UserMlp = RegisterModule("user_mlp", new Embedding(users, o.MlpEmbeddingSize, rng));
            ItemMlp = RegisterModule("item_mlp", new Embedding(items, o.MlpEmbeddingSize, rng));
            foreach (var e in new[] { UserGmf, ItemGmf, UserMlp, ItemMlp }) Init.Normal(e.Weight, rng, 0, o.InitStd);
            int width = 2 * o.MlpEmbeddingSize;
            for (int l = 0; l < o.MlpLayers.Count; l++)
            {
                var layer = RegisterModule($"mlp{l}", new Linear(width, o.MlpLayers[l], rng));
                Init.XavierUniform(layer.Weight, rng);
                Tower.Add(layer);
                width = o.MlpLayers[l];
            }
            Output = RegisterModule("output", new Linear(o.GmfSize + width, 1, rng));
        }

        public Embedding UserGmf { get; }
        public Embedding ItemGmf { get; }
        public Embedding UserMlp { get; }
        public Embedding ItemMlp { get; }
        public List<Linear> Tower { get; } = [];
        public Linear Output { get; }
    }
}
