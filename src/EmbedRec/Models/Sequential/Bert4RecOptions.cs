using EmbedRec.Config;

namespace EmbedRec.Models.Sequential;

/// <summary>
/// Options of <see cref="Bert4Rec"/>. Defaults are the SEvo authors' BERT4Rec on Amazon Beauty
/// (<c>BERT4Rec/configs/AmazonBeauty_550_Chron.yaml</c> in MTandHJ/SEvo; SPEC §3.4); the mask probability is the
/// objective's (<c>objective: masked_item</c>, <c>mask_prob</c>).
/// </summary>
public sealed record Bert4RecOptions
{
    /// <summary>Hidden size d (<c>hidden_size</c>: 64).</summary>
    public int Dim { get; init; } = 64;

    /// <summary>Encoder layers (<c>num_blocks</c>: 2).</summary>
    public int Blocks { get; init; } = 2;

    /// <summary>Attention heads (<c>num_heads</c>: 4).</summary>
    public int Heads { get; init; } = 4;

    /// <summary>Feed-forward width as a multiple of d (PyTorch's encoder layer with <c>dim_feedforward = 4d</c>).</summary>
    public int FfnMultiple { get; init; } = 4;

    /// <summary>Dropout everywhere (<c>dropout_rate</c>: 0.2 on Beauty, 0.1 on Toys).</summary>
    public float Dropout { get; init; } = 0.2f;

    /// <summary>Most recent items read (<c>maxlen</c>: 50; at scoring the last 49 plus the mask token).</summary>
    public int MaxLength { get; init; } = 50;

    /// <summary>The <c>model:</c> keys of BERT4Rec.</summary>
    public static readonly OptionsBinder<Bert4RecOptions> Binder = new OptionsBinder<Bert4RecOptions>(new())
        .Int("embedding_size", o => o.Dim, (o, v) => o with { Dim = v }, "hidden size d", min: 1)
        .Int("blocks", o => o.Blocks, (o, v) => o with { Blocks = v }, "encoder layers", min: 1)
        .Int("heads", o => o.Heads, (o, v) => o with { Heads = v }, "attention heads (must divide embedding_size)", min: 1)
        .Int("ffn_multiple", o => o.FfnMultiple, (o, v) => o with { FfnMultiple = v }, "feed-forward width as a multiple of embedding_size", min: 1)
        .Float("dropout", o => o.Dropout, (o, v) => o with { Dropout = v }, "dropout on embeddings, attention weights and feed-forward layers", min: 0, max: 0.99f)
        .Int("max_len", o => o.MaxLength, (o, v) => o with { MaxLength = v }, "most recent items read per user", min: 2);
}
