using EmbedRec.Tensors;
using EmbedRec.Tensors.Nn;

namespace EmbedRec.Models.Sequential;

/// <summary>
/// SASRec: Kang and McAuley, "Self-Attentive Sequential Recommendation", ICDM 2018, as the SEvo authors' code builds it
/// (SPEC §3.4): item embedding × √d plus learned positions, embedding dropout, padding zeroed; blocks of
/// [LayerNorm → causal attention whose query is the normed input and whose key, value and residual are the un-normed
/// input; LayerNorm → position-wise feed-forward d→d→d with ReLU and dropout, residual], final LayerNorm (ε 1e-8).
/// Initialization as the code's: Xavier-normal embeddings and output projections with zero biases, PyTorch's defaults
/// elsewhere (Xavier-uniform in-projection, U(±1/√d) feed-forward "Conv1d" layers).
/// <para>
/// It runs on packed sequences (<see cref="SequenceInput"/>): no work on padding. The reference's padding tokens are zero
/// vectors that still enter every softmax as keys (key = in-projection bias, value = its value bias);
/// <see cref="Ops.PackedAttention"/> counts them exactly, so the packed model computes what the padded one does.
/// </para>
/// </summary>
public sealed class SasRec : SequenceModel
{
    /// <summary><c>model: sasrec</c>, trained by <c>next_item</c> (BCE, one sampled negative per position).</summary>
    public static readonly ModelRegistration Registration = ModelRegistration.For("sasrec", "SASRec (Kang & McAuley, ICDM 2018), as in SEvo's code",
        SasRecOptions.Binder, (o, c) => new SasRec(c.Split.UserCount, c.Split.ItemCount, o, c.Rng, SequenceScorer.Popularity(c.Split.Train)),
        defaultObjective: "next_item",
        contract: new ContractSettings(new Dictionary<string, string> { ["model.embedding_size"] = "16", ["model.dropout"] = "0.1", ["model.max_len"] = "10", ["learning_rate"] = "0.005", ["train_batch_size"] = "64" }, Epochs: 20));

    private readonly Net _net;

    /// <summary>Creates the model with its own initialization.</summary>
    public SasRec(int users, int items, SasRecOptions options, Rng rng, float[] popularity)
        : base("sasrec", users, items, popularity)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Options = options ?? new SasRecOptions();
        if (Options.Dim % Options.Heads != 0)
            throw new ArgumentException($"sasrec: heads = {Options.Heads} must divide embedding_size = {Options.Dim}.");
        if (Options.MaxLength < 1) throw new ArgumentOutOfRangeException(nameof(options), Options.MaxLength, "sasrec: max_len must be ≥ 1.");
        _net = new Net(items + 1, Options, rng);
    }

    /// <summary>The options.</summary>
    public SasRecOptions Options { get; }

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
    public override Tensor Encode(SequenceInput input, bool lastOnly)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = Options;
        bool train = _net.Training;
        var x = Ops.Add(Ops.MulScalar(_net.Item.Forward(input.Tokens), MathF.Sqrt(o.Dim)), _net.Position.Forward(input.Positions));
        x = Ops.Dropout(x, o.Dropout, _net.Rng, train);
        foreach (var block in _net.Blocks) x = block.Forward(x, input.Packing, o, _net.Rng, train);
        if (lastOnly) x = Ops.Gather(x, input.Packing.LastRows());
        return _net.LastNorm.Forward(x);
    }

    private sealed class Net : Module
    {
        public Net(int tokens, SasRecOptions o, Rng rng)
        {
            Item = RegisterModule("item", new Embedding(tokens, o.Dim, rng));
            Init.XavierNormal(Item.Weight, rng);
            Position = RegisterModule("position", new Embedding(o.MaxLength, o.Dim, rng));
            Init.XavierNormal(Position.Weight, rng);
            for (int l = 0; l < o.Blocks; l++) Blocks.Add(RegisterModule($"block{l}", new Block(o, rng)));
            LastNorm = RegisterModule("last_norm", new LayerNorm(o.Dim, o.LayerNormEps));
            Rng = rng.Fork();
        }

        public Embedding Item { get; }
        public Embedding Position { get; }
        public List<Block> Blocks { get; } = [];
        public LayerNorm LastNorm { get; }
        public Rng Rng { get; }
    }

    /// <summary>One block; parameter names follow PyTorch's MultiheadAttention (in_proj_weight holds W_q, W_k, W_v).</summary>
    private sealed class Block : Module
    {
        private readonly int _d;

        public Block(SasRecOptions o, Rng rng)
        {
            _d = o.Dim;
            AttnNorm = RegisterModule("attn_norm", new LayerNorm(o.Dim, o.LayerNormEps));
            InProjWeight = RegisterParameter("in_proj_weight", Init.XavierUniform(Tensor.Zeros(3 * o.Dim, o.Dim), rng));
            InProjBias = RegisterParameter("in_proj_bias", Tensor.Zeros(3 * o.Dim));
            OutProj = RegisterModule("out_proj", new Linear(o.Dim, o.Dim, rng));
            Init.XavierNormal(OutProj.Weight, rng);
            OutProj.Bias!.Span.Clear();
            FfnNorm = RegisterModule("ffn_norm", new LayerNorm(o.Dim, o.LayerNormEps));
            Ffn1 = RegisterModule("ffn1", new Linear(o.Dim, o.Dim, rng));
            Ffn2 = RegisterModule("ffn2", new Linear(o.Dim, o.Dim, rng));
        }

        public LayerNorm AttnNorm { get; }
        public Tensor InProjWeight { get; }
        public Tensor InProjBias { get; }
        public Linear OutProj { get; }
        public LayerNorm FfnNorm { get; }
        public Linear Ffn1 { get; }
        public Linear Ffn2 { get; }

        public Tensor Forward(Tensor x, SequencePacking packing, SasRecOptions o, Rng rng, bool train)
        {
            Tensor W(int part) => Ops.Slice(InProjWeight, 0, part * _d, _d);
            Tensor B(int part) => Ops.Slice(InProjBias, 0, part * _d, _d);
            var bk = B(1);
            var bv = B(2);
            var q = Ops.Linear(AttnNorm.Forward(x), W(0), B(0));
            var k = Ops.Linear(x, W(1), bk);
            var v = Ops.Linear(x, W(2), bv);
            // Padding inputs are zero, so their key and value are the biases.
            var attn = Ops.PackedAttention(q, k, v, packing, o.Heads, causal: true, bk, bv, train ? o.Dropout : 0f, rng);
            x = Ops.Add(OutProj.Forward(attn), x);
            x = FfnNorm.Forward(x);
            var h = Ops.Relu(Ops.Dropout(Ffn1.Forward(x), o.Dropout, rng, train));
            return Ops.Add(Ops.Dropout(Ffn2.Forward(h), o.Dropout, rng, train), x);
        }
    }
}
