using EmbedRec.Tensors;
using EmbedRec.Tensors.Nn;

namespace EmbedRec.Models.Sequential;

/// <summary>
/// BERT4Rec: Sun, Liu, Wu, Pei, Lin, Ou and Jiang, "BERT4Rec: Sequential Recommendation with Bidirectional Encoder
/// Representations from Transformer", CIKM 2019, as the SEvo authors' code builds it (SPEC §3.4): tokens 0 (padding),
/// 1 (mask) and item + 2; embedding + learned positions → LayerNorm → dropout; post-LN encoder layers (bidirectional
/// attention with padding keys masked, GELU feed-forward of 4d, dropout); an output layer over every token (items, padding
/// and mask). Initialization as the code's: Xavier-normal clamped to ±0.02 for embeddings and linear layers (zero biases),
/// one Xavier-uniform attention in-projection shared as the starting point of every layer (PyTorch's encoder copies its layer). Padding is masked out of attention, so the packed model (no padding rows at all)
/// computes exactly what the padded one does. At scoring the last max_len − 1 history items are followed by the mask token
/// and its output row scores the items.
/// </summary>
public sealed class Bert4Rec : SequenceModel
{
    /// <summary>The mask token.</summary>
    public const int MaskToken = 1;

    /// <summary><c>model: bert4rec</c>, trained by <c>masked_item</c> (full-softmax CE at masked positions).</summary>
    public static readonly ModelRegistration Registration = ModelRegistration.For("bert4rec", "BERT4Rec (Sun et al., CIKM 2019), as in SEvo's code",
        Bert4RecOptions.Binder, (o, c) => new Bert4Rec(c.Split.UserCount, c.Split.ItemCount, o, c.Rng, SequenceScorer.Popularity(c.Split.Train)),
        defaultObjective: "masked_item",
        contract: new ContractSettings(new Dictionary<string, string> { ["model.embedding_size"] = "16", ["model.heads"] = "2", ["model.dropout"] = "0.1", ["model.max_len"] = "10", ["objective.mask_prob"] = "0.2", ["learning_rate"] = "0.005", ["train_batch_size"] = "16" }, Epochs: 20, LossRatio: 0.98f));

    private readonly Net _net;

    /// <summary>Creates the model with its own initialization.</summary>
    public Bert4Rec(int users, int items, Bert4RecOptions options, Rng rng, float[] popularity)
        : base("bert4rec", users, items, popularity)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Options = options ?? new Bert4RecOptions();
        if (Options.Dim % Options.Heads != 0)
            throw new ArgumentException($"bert4rec: heads = {Options.Heads} must divide embedding_size = {Options.Dim}.");
        if (Options.MaxLength < 2) throw new ArgumentOutOfRangeException(nameof(options), Options.MaxLength, "bert4rec: max_len must be ≥ 2 (history and the mask token).");
        _net = new Net(items + 2, Options, rng);
    }

    /// <summary>The options.</summary>
    public Bert4RecOptions Options { get; }

    /// <inheritdoc />
    public override int MaxLength => Options.MaxLength;

    /// <inheritdoc />
    public override int TokenOffset => 2;

    /// <inheritdoc />
    public override int Dim => Options.Dim;

    /// <inheritdoc />
    public override Tensor ItemEmbeddingTable => _net.Item.Weight;

    /// <inheritdoc />
    public override int? ScoringSuffix => MaskToken;

    /// <inheritdoc />
    public override Module Network => _net;

    /// <inheritdoc />
    public override (Tensor Weight, Tensor? Bias) Output => (_net.Fc.Weight, _net.Fc.Bias);

    /// <inheritdoc />
    /// <remarks>
    /// The item embedding and the output layer's weight (SEvo smooths both, as the authors' code); rows 0 and 1 are padding
    /// and mask. The output layer is marked <see cref="EmbeddingTable.OutputLayer"/>: initializers leave it alone.
    /// </remarks>
    public override IReadOnlyList<EmbeddingTable> Tables =>
        [EmbeddingTable.Items("item.weight", _net.Item.Weight, ItemCount, first: 2), EmbeddingTable.Items("fc.weight", _net.Fc.Weight, ItemCount, first: 2) with { OutputLayer = true }];

    /// <inheritdoc />
    public override Tensor Encode(SequenceInput input, bool lastOnly)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = Options;
        bool train = _net.Training;
        // Padding keys are masked in BERT4Rec, so the attention sees real tokens only.
        var packing = new SequencePacking(input.Packing.Lengths);
        var x = Ops.Add(_net.Item.Forward(input.Tokens), _net.Position.Forward(input.Positions));
        x = Ops.Dropout(_net.EmbeddingNorm.Forward(x), o.Dropout, _net.Rng, train);
        foreach (var layer in _net.Layers) x = layer.Forward(x, packing, o, _net.Rng, train);
        return lastOnly ? Ops.Gather(x, input.Packing.LastRows()) : x;
    }

    private static Tensor Clamped(Tensor t) { TensorPrimitives.Clamp(t.Span, -0.02f, 0.02f, t.Span); return t; }

    private sealed class Net : Module
    {
        public Net(int tokens, Bert4RecOptions o, Rng rng)
        {
            Item = RegisterModule("item", new Embedding(tokens, o.Dim, rng));
            Clamped(Init.XavierNormal(Item.Weight, rng));
            Position = RegisterModule("position", new Embedding(o.MaxLength, o.Dim, rng));
            Clamped(Init.XavierNormal(Position.Weight, rng));
            EmbeddingNorm = RegisterModule("layernorm", new LayerNorm(o.Dim));
            // nn.TransformerEncoder deep-copies one layer and the code re-initializes only Linear and Embedding modules, so
            // every layer starts from the same Xavier-uniform in-projection: draw it once.
            var inProj = Init.XavierUniform(Tensor.Zeros(3 * o.Dim, o.Dim), rng);
            for (int l = 0; l < o.Blocks; l++) Layers.Add(RegisterModule($"layer{l}", new EncoderLayer(o, rng, inProj)));
            Fc = RegisterModule("fc", new Linear(o.Dim, tokens, rng));
            Clamped(Init.XavierNormal(Fc.Weight, rng));
            Fc.Bias!.Span.Clear();
            Rng = rng.Fork();
        }

        public Embedding Item { get; }
        public Embedding Position { get; }
        public LayerNorm EmbeddingNorm { get; }
        public List<EncoderLayer> Layers { get; } = [];
        public Linear Fc { get; }
        public Rng Rng { get; }
    }

    /// <summary>PyTorch's post-LN TransformerEncoderLayer (GELU), with its parameter names.</summary>
    private sealed class EncoderLayer : Module
    {
        private readonly int _d;

        public EncoderLayer(Bert4RecOptions o, Rng rng, Tensor inProjInit)
        {
            _d = o.Dim;
            InProjWeight = RegisterParameter("in_proj_weight", Tensor.FromSpan(inProjInit.Span, 3 * o.Dim, o.Dim));
            InProjBias = RegisterParameter("in_proj_bias", Tensor.Zeros(3 * o.Dim));
            OutProj = RegisterModule("out_proj", Linear0(o.Dim, o.Dim, rng));
            Linear1 = RegisterModule("linear1", Linear0(o.Dim, o.FfnMultiple * o.Dim, rng));
            Linear2 = RegisterModule("linear2", Linear0(o.FfnMultiple * o.Dim, o.Dim, rng));
            Norm1 = RegisterModule("norm1", new LayerNorm(o.Dim));
            Norm2 = RegisterModule("norm2", new LayerNorm(o.Dim));
        }

        private static Linear Linear0(int i, int o, Rng rng)
        {
            var l = new Linear(i, o, rng);
            Clamped(Init.XavierNormal(l.Weight, rng));
            l.Bias!.Span.Clear();
            return l;
        }

        public Tensor InProjWeight { get; }
        public Tensor InProjBias { get; }
        public Linear OutProj { get; }
        public Linear Linear1 { get; }
        public Linear Linear2 { get; }
        public LayerNorm Norm1 { get; }
        public LayerNorm Norm2 { get; }

        public Tensor Forward(Tensor x, SequencePacking packing, Bert4RecOptions o, Rng rng, bool train)
        {
            Tensor W(int part) => Ops.Slice(InProjWeight, 0, part * _d, _d);
            Tensor B(int part) => Ops.Slice(InProjBias, 0, part * _d, _d);
            float p = train ? o.Dropout : 0f;
            var attn = Ops.PackedAttention(Ops.Linear(x, W(0), B(0)), Ops.Linear(x, W(1), B(1)), Ops.Linear(x, W(2), B(2)), packing, o.Heads, causal: false,
                dropout: p, rng: rng);
            x = Norm1.Forward(Ops.Add(x, Ops.Dropout(OutProj.Forward(attn), o.Dropout, rng, train)));
            var h = Ops.Dropout(Ops.Gelu(Linear1.Forward(x)), o.Dropout, rng, train);
            return Norm2.Forward(Ops.Add(x, Ops.Dropout(Linear2.Forward(h), o.Dropout, rng, train)));
        }
    }
}
