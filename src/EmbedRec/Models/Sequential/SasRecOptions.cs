using EmbedRec.Config;

namespace EmbedRec.Models.Sequential;

/// <summary>
/// Options of <see cref="SasRec"/>. Defaults are the SEvo authors' SASRec on Amazon Beauty
/// (<c>SASRec/configs/AmazonBeauty_550_Chron.yaml</c> in MTandHJ/SEvo; SPEC §3.4).
/// </summary>
public sealed record SasRecOptions
{
    /// <summary>Hidden size d (the config's <c>hidden_size</c>: 64).</summary>
    public int Dim { get; init; } = 64;

    /// <summary>Transformer blocks (<c>num_blocks</c>: 2).</summary>
    public int Blocks { get; init; } = 2;

    /// <summary>Attention heads (<c>num_heads</c>: 1).</summary>
    public int Heads { get; init; } = 1;

    /// <summary>Dropout on the embeddings, the attention weights and the feed-forward layers (<c>dropout_rate</c>: 0.3 on Beauty).</summary>
    public float Dropout { get; init; } = 0.3f;

    /// <summary>Most recent items read (<c>maxlen</c>: 50).</summary>
    public int MaxLength { get; init; } = 50;

    /// <summary>ε of every LayerNorm (1e-8 in the code).</summary>
    public float LayerNormEps { get; init; } = 1e-8f;

    /// <summary>The <c>model:</c> keys of SASRec.</summary>
    public static readonly OptionsBinder<SasRecOptions> Binder = new OptionsBinder<SasRecOptions>(new())
        .Int("embedding_size", o => o.Dim, (o, v) => o with { Dim = v }, "hidden size d", min: 1)
        .Int("blocks", o => o.Blocks, (o, v) => o with { Blocks = v }, "transformer blocks", min: 1)
        .Int("heads", o => o.Heads, (o, v) => o with { Heads = v }, "attention heads (must divide embedding_size)", min: 1)
        .Float("dropout", o => o.Dropout, (o, v) => o with { Dropout = v }, "dropout on embeddings, attention weights and feed-forward layers", min: 0, max: 0.99f)
        .Int("max_len", o => o.MaxLength, (o, v) => o with { MaxLength = v }, "most recent items read per user", min: 1)
        .Float("layer_norm_eps", o => o.LayerNormEps, (o, v) => o with { LayerNormEps = v }, "ε of the LayerNorms", min: 0, exclusiveMin: true);
}
