using EmbedRec.Config;

namespace EmbedRec.Models.Sequential;

/// <summary>
/// Options of <see cref="Gru4Rec"/>. Defaults are the SEvo authors' GRU4Rec on Amazon Beauty
/// (<c>GRU4Rec/configs/AmazonBeauty_550_Chron.yaml</c> in MTandHJ/SEvo; SPEC §3.4).
/// </summary>
public sealed record Gru4RecOptions
{
    /// <summary>Item embedding size d (<c>embedding_dim</c>: 64).</summary>
    public int Dim { get; init; } = 64;

    /// <summary>GRU hidden units (<c>hidden_size</c>: 64).</summary>
    public int Hidden { get; init; } = 64;

    /// <summary>Dropout on the item embeddings (<c>emb_dropout_rate</c>: 0.4 on Beauty and Toys).</summary>
    public float EmbeddingDropout { get; init; } = 0.4f;

    /// <summary>Most recent items read (<c>maxlen</c>: 50).</summary>
    public int MaxLength { get; init; } = 50;

    /// <summary>The <c>model:</c> keys of GRU4Rec.</summary>
    public static readonly OptionsBinder<Gru4RecOptions> Binder = new OptionsBinder<Gru4RecOptions>(new())
        .Int("embedding_size", o => o.Dim, (o, v) => o with { Dim = v }, "item embedding size d", min: 1)
        .Int("hidden_size", o => o.Hidden, (o, v) => o with { Hidden = v }, "GRU hidden units", min: 1)
        .Float("dropout", o => o.EmbeddingDropout, (o, v) => o with { EmbeddingDropout = v }, "dropout on the item embeddings", min: 0, max: 0.99f)
        .Int("max_len", o => o.MaxLength, (o, v) => o with { MaxLength = v }, "most recent items read per sequence", min: 1);
}
