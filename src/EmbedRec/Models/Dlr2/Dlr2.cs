using EmbedRec.Evaluation;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Kernels;
using EmbedRec.Tensors.Nn;

namespace EmbedRec.Models;

/// <summary>
/// DLR2, Dual-Loss Residual Recommendation: Zhang, Li, Liu, Wang and Miao, "Initialization Matters: Regularizing
/// Manifold-informed Initialization for Neural Recommendation Systems", KDD 2021 (§4, appendices G and H), as the
/// authors' code builds it (SPEC §2). The state of user u after its items h_{t−l} … h_{t−1} is the 1 × (l + 1) × d image
/// [e_u; e_{t−l}; …; e_{t−1}]; a convolutional feature network maps it to s ∈ R^d; the critic S(s, e_j) scores an item
/// (lower is better) and the actor G(s) ∈ R^d predicts the next item's embedding. Trained by <c>objective: dlr2</c>
/// (<see cref="Objectives.Dlr2Objective"/>); ranked by S ascending, so <see cref="Score"/> returns −S.
/// </summary>
/// <remarks>
/// Parameters: <c>user.weight</c> [users, d], <c>item.weight</c> [items + 1, d] (row 0 is the zero padding of histories
/// shorter than l, item i at row i + 1), <c>feature.*</c>, <c>critic.*</c>, <c>actor.*</c>; the buffers of
/// <c>feature.layer2.downsample_bn</c>. The authors' code freezes LE and Leporid embeddings (the paper says they are
/// trained): <see cref="Dlr2Options.FreezeEmbeddings"/> keeps them fixed after an initializer that computed them from the
/// data and trains them after a random one.
/// </remarks>
public sealed class Dlr2 : ITrainable, IEmbeddingTables
{
    /// <summary>The registration: <c>model: dlr2</c>, trained with <c>objective: dlr2</c>.</summary>
    public static readonly ModelRegistration Registration = ModelRegistration.For("dlr2", "Dual-Loss Residual Recommendation (Zhang et al., KDD 2021)",
        Dlr2Options.Binder, (o, c) => new Dlr2(c.Split.UserCount, c.Split.ItemCount, o, c.Rng), defaultObjective: "dlr2",
        contract: new ContractSettings(new Dictionary<string, string>
        {
            ["model.dim"] = "8", ["model.window"] = "3", ["model.channels"] = "2", ["model.head_layers"] = "32,16", ["model.init_std"] = "0.1", ["learning_rate"] = "0.003",
        }, BeatsPopularity: false));

    /// <summary>Rows of the critic's hidden activations scored at once (users × items, in whole users).</summary>
    private const int ScoreRows = 16_384;

    private readonly Dlr2Network _net;

    /// <summary>Creates the model.</summary>
    public Dlr2(int users, int items, Dlr2Options options, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Options = options ?? new Dlr2Options();
        if (users < 1 || items < 1) throw new ArgumentException($"DLR2 needs users and items, got {users} × {items}.");
        if (Options.Dim < 1 || Options.Window < 1 || Options.Channels < 1 || Options.HeadLayers.Count == 0 || Options.HeadLayers.Any(w => w < 1))
            throw new ArgumentException($"DLR2 needs positive dim ({Options.Dim}), window ({Options.Window}), channels ({Options.Channels}) and head widths ([{string.Join(", ", Options.HeadLayers)}]).");
        UserCount = users;
        ItemCount = items;
        _net = new Dlr2Network(users, items, Options, rng);
    }

    /// <summary>The options.</summary>
    public Dlr2Options Options { get; }

    /// <summary>Recent items l in a state.</summary>
    public int Window => Options.Window;

    /// <summary>Embedding and state size d.</summary>
    public int Dim => Options.Dim;

    /// <inheritdoc />
    public string Name => "dlr2";

    /// <inheritdoc />
    public int UserCount { get; }

    /// <inheritdoc />
    public int ItemCount { get; }

    /// <inheritdoc />
    public Module Network => _net;

    /// <inheritdoc />
    public IReadOnlyList<EmbeddingTable> Tables =>
        [EmbeddingTable.Users("user.weight", _net.User.Weight, UserCount), EmbeddingTable.Items("item.weight", _net.Item.Weight, ItemCount, first: 1)];

    /// <summary>
    /// The states s [B, d] of <paramref name="users"/> after the items <paramref name="history"/> [B × l] (oldest first;
    /// −1 is padding, the zero row), with gradients recorded; BatchNorm follows the network's train/eval mode.
    /// </summary>
    public Tensor Features(int[] users, int[] history)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(history);
        int b = users.Length, l = Window, d = Dim;
        if (history.Length != b * l) throw new ArgumentException($"History of {history.Length} items for {b} users × window {l}.");
        var rows = new int[history.Length];
        for (int k = 0; k < rows.Length; k++)
        {
            int i = history[k];
            if (i < -1 || i >= ItemCount) throw new ArgumentOutOfRangeException(nameof(history), i, $"Item {i} is outside the model's {ItemCount} items (−1 pads).");
            rows[k] = i + 1;
        }
        foreach (int u in users)
            if ((uint)u >= (uint)UserCount) throw new ArgumentOutOfRangeException(nameof(users), u, $"User {u} is outside the model's {UserCount} users.");
        var image = Ops.Concat([_net.User.Forward(users, [b, 1]), _net.Item.Forward(rows, [b, l])], 1); // [B, l+1, d]
        return _net.Feature.Forward(Ops.Reshape(image, b, 1, l + 1, d));                                    // [B, d]
    }

    /// <summary>Embeddings [B, d] of <paramref name="items"/>, with gradients recorded.</summary>
    public Tensor ItemEmbeddings(int[] items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var rows = new int[items.Length];
        for (int k = 0; k < rows.Length; k++)
        {
            if ((uint)items[k] >= (uint)ItemCount) throw new ArgumentOutOfRangeException(nameof(items), items[k], $"Item {items[k]} is outside the model's {ItemCount} items.");
            rows[k] = items[k] + 1;
        }
        return _net.Item.Forward(rows);
    }

    /// <summary>The critic S(s, e) [B] of states s [B, d] and item embeddings e [B, d] (lower is better).</summary>
    public Tensor Critic(Tensor states, Tensor items)
    {
        ArgumentNullException.ThrowIfNull(states);
        return Ops.Reshape(_net.Critic.Forward(Ops.Concat([states, items], 1)), states.Dim(0));
    }

    /// <summary>The actor G(s) [B, d] ∈ (−1, 1)^d of states s [B, d].</summary>
    public Tensor Actor(Tensor states) => Ops.Tanh(_net.Actor.Forward(states));

    /// <summary>
    /// The last l items of <paramref name="history"/> into <paramref name="row"/> (length l), oldest first, left-padded with −1
    /// when the history is shorter (the authors' data never needed it: every user there has at least 14 training items).
    /// </summary>
    public static void LastItems(ReadOnlySpan<int> history, Span<int> row)
    {
        int take = Math.Min(history.Length, row.Length);
        row[..(row.Length - take)].Fill(-1);
        history[^take..].CopyTo(row[(row.Length - take)..]);
    }

    /// <inheritdoc />
    public void PrepareForScoring() { }

    /// <inheritdoc />
    /// <remarks>
    /// s is computed once per user from the last l items of <see cref="ScoringContext.History"/>; the critic's first layer
    /// W₁[s; e] + b₁ splits into a user part W_s·s + b₁ and an item part W_e·e, the latter one GEMM over all items per call,
    /// and the remaining layers run as GEMMs over blocks of (user, item) rows.
    /// </remarks>
    public void Score(ReadOnlySpan<int> users, ScoringContext context, Span<float> scores)
    {
        ArgumentNullException.ThrowIfNull(context);
        ScoreArgs.Check(users, UserCount, ItemCount, scores.Length);
        int b = users.Length, l = Window, d = Dim, nI = ItemCount;
        if (b == 0) return;
        if (context.History.UserCount < UserCount)
            throw new ArgumentException($"The scoring context has histories of {context.History.UserCount} users; the model has {UserCount}.");
        using var _ = GradMode.NoGrad();
        var ids = users.ToArray();
        var history = new int[b * l];
        for (int k = 0; k < b; k++) LastItems(context.History.Of(ids[k]), history.AsSpan(k * l, l));
        var s = Features(ids, history).ToArray();                                  // [B, d]

        var layers = _net.Critic.Layers;
        var first = layers[0];
        int h1 = first.Weight.Dim(0);
        var ws = Ops.Slice(first.Weight, 1, 0, d).ToArray();                      // [h1, d]
        var we = Ops.Slice(first.Weight, 1, d, d).ToArray();                      // [h1, d]
        var blas = Blas.Current;
        var itemPart = new float[nI * h1];                                         // E·W_eᵀ [items, h1]
        blas.Sgemm(false, true, nI, h1, d, 1f, _net.Item.Weight.Span[d..], d, we, d, 0f, itemPart, h1);
        var userPart = new float[b * h1];                                          // S·W_sᵀ + b₁ [B, h1]
        blas.Sgemm(false, true, b, h1, d, 1f, s, d, ws, d, 0f, userPart, h1);
        for (int k = 0; k < b; k++) TensorPrimitives.Add(userPart.AsSpan(k * h1, h1), first.Bias!.Span, userPart.AsSpan(k * h1, h1));

        int maxWidth = layers.Max(x => x.Weight.Dim(0));
        int perChunk = Math.Max(1, ScoreRows / nI);
        var bufA = new float[Math.Min(b, perChunk) * nI * maxWidth];
        var bufB = new float[bufA.Length];
        for (int k0 = 0; k0 < b; k0 += perChunk)
        {
            int nu = Math.Min(perChunk, b - k0), rows = nu * nI;
            for (int k = 0; k < nu; k++)
            {
                var a = userPart.AsSpan((k0 + k) * h1, h1);
                for (int i = 0; i < nI; i++)
                {
                    var h = bufA.AsSpan((k * nI + i) * h1, h1);
                    TensorPrimitives.Add(itemPart.AsSpan(i * h1, h1), a, h);
                    TensorPrimitives.Max(h, 0f, h);
                }
            }
            var cur = bufA;
            var next = bufB;
            int width = h1;
            for (int li = 1; li < layers.Count; li++)
            {
                var layer = layers[li];
                int outW = layer.Weight.Dim(0);
                bool last = li == layers.Count - 1;
                var dst = last ? scores.Slice(k0 * nI, rows) : next.AsSpan(0, rows * outW);
                for (int r = 0; r < rows; r++) layer.Bias!.Span.CopyTo(dst.Slice(r * outW, outW));
                blas.Sgemm(false, true, rows, outW, width, 1f, cur.AsSpan(0, rows * width), width, layer.Weight.Span, width, 1f, dst, outW);
                if (last) TensorPrimitives.Negate(dst, dst);                       // S ascending → −S descending
                else TensorPrimitives.Max(dst, 0f, dst);
                (cur, next) = (next, cur);
                width = outW;
            }
        }
    }

    /// <inheritdoc />
    public void Save(string path) => _net.Save(path, new Dictionary<string, string> { ["model"] = Name });

    /// <inheritdoc />
    public void Load(string path) => _net.Load(path);
}
