using EmbedRec.Tensors;
using EmbedRec.Tensors.Nn;

namespace EmbedRec.Models.Sequential;

/// <summary>
/// GRU4Rec: Hidasi, Karatzoglou, Baltrunas and Tikk, "Session-based Recommendations with Recurrent Neural Networks",
/// ICLR 2016, as the SEvo authors' code builds it (SPEC §3.4): item embedding → dropout → one GRU layer without biases
/// (Xavier-uniform weights) → Linear(hidden, d); the state after the last real item is the sequence's representation,
/// scored against the item embeddings. The GRU runs fused over the real items only (<see cref="Ops.PackedGru"/>).
/// </summary>
public sealed class Gru4Rec : SequenceModel
{
    /// <summary><c>model: gru4rec</c>, trained by <c>last_item</c> (BPR with one negative over every training prefix).</summary>
    public static readonly ModelRegistration Registration = ModelRegistration.For("gru4rec", "GRU4Rec (Hidasi et al., ICLR 2016), as in SEvo's code",
        Gru4RecOptions.Binder, (o, c) => new Gru4Rec(c.Split.UserCount, c.Split.ItemCount, o, c.Rng, SequenceScorer.Popularity(c.Split.Train)),
        defaultObjective: "last_item",
        contract: new ContractSettings(new Dictionary<string, string> { ["model.embedding_size"] = "16", ["model.hidden_size"] = "16", ["model.dropout"] = "0.1", ["model.max_len"] = "10", ["learning_rate"] = "0.01" }, Epochs: 15));

    private readonly Net _net;

    /// <summary>Creates the model with its own initialization.</summary>
    public Gru4Rec(int users, int items, Gru4RecOptions options, Rng rng, float[] popularity)
        : base("gru4rec", users, items, popularity)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Options = options ?? new Gru4RecOptions();
        if (Options.MaxLength < 1) throw new ArgumentOutOfRangeException(nameof(options), Options.MaxLength, "gru4rec: max_len must be ≥ 1.");
        _net = new Net(items + 1, Options, rng);
    }

    /// <summary>The options.</summary>
    public Gru4RecOptions Options { get; }

    /// <inheritdoc />
    public override int MaxLength => Options.MaxLength;

    /// <inheritdoc />
    public override int TokenOffset => 1;

    /// <inheritdoc />
    public override int Dim => Options.Dim;

    /// <inheritdoc />
    public override Tensor ItemEmbeddingTable => _net.Item.Weight;

    /// <inheritdoc />
    public override Module Network => _net;

    /// <inheritdoc />
    public override (Tensor Weight, Tensor? Bias) Output => (_net.Item.Weight, null);

    /// <inheritdoc />
    /// <remarks>GRU4Rec gives the state after each sequence's last item only; <paramref name="lastOnly"/> must be true.</remarks>
    public override Tensor Encode(SequenceInput input, bool lastOnly)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!lastOnly) throw new NotSupportedException("gru4rec encodes each sequence into its last state only; train it with objective last_item.");
        var p = input.Packing;
        int b = p.Count, t = p.MaxLength, n = p.Tokens;
        // Embedding and dropout on the real tokens only, then laid out right-padded [B, T, d] for the fused GRU, which
        // never reads past a row's length: padding positions point at an extra zero row.
        var emb = Ops.Dropout(_net.Item.Forward(input.Tokens), Options.EmbeddingDropout, _net.Rng, _net.Training);
        var withZero = Ops.Concat([emb, Tensor.Zeros(1, Options.Dim)], 0);
        var rows = new int[b * t];
        Array.Fill(rows, n);
        for (int s = 0; s < b; s++)
            for (int k = 0; k < p.Lengths[s]; k++) rows[s * t + k] = p.Offsets[s] + k;
        var x = Ops.Gather(withZero, rows, [b, t], paddingIndex: n);
        var h = Ops.PackedGru(x, p.Lengths, _net.WeightIh, _net.WeightHh);
        return _net.Dense.Forward(h);
    }

    /// <summary>Parameter names follow PyTorch's (<c>gru.weight_ih_l0</c>, <c>gru.weight_hh_l0</c>, <c>dense</c>).</summary>
    private sealed class Net : Module
    {
        public Net(int tokens, Gru4RecOptions o, Rng rng)
        {
            Item = RegisterModule("item", new Embedding(tokens, o.Dim, rng));
            Init.XavierNormal(Item.Weight, rng);
            WeightIh = RegisterParameter("weight_ih_l0", Init.XavierUniform(Tensor.Zeros(3 * o.Hidden, o.Dim), rng));
            WeightHh = RegisterParameter("weight_hh_l0", Init.XavierUniform(Tensor.Zeros(3 * o.Hidden, o.Hidden), rng));
            Dense = RegisterModule("dense", new Linear(o.Hidden, o.Dim, rng));
            Rng = rng.Fork();
        }

        public Embedding Item { get; }
        public Tensor WeightIh { get; }
        public Tensor WeightHh { get; }
        public Linear Dense { get; }
        public Rng Rng { get; }
    }
}
