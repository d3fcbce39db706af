using EmbedRec.Tensors;

namespace EmbedRec.Models.Sequential;

/// <summary>
/// A model that reads a user's item sequence (SASRec, GRU4Rec, BERT4Rec): the contract its objectives and
/// <see cref="SequenceScorer"/> use. Items are tokens <c>item + TokenOffset</c>; the rows below the offset are padding
/// (and BERT4Rec's mask token), declared as such in the tables' row maps.
/// </summary>
public interface ISequenceModel : ITrainable, IEmbeddingTables, IFinalEmbeddings
{
    /// <summary>The padded width max_len: inputs keep their most recent max_len tokens.</summary>
    int MaxLength { get; }

    /// <summary>Token id of item 0 (1 with a padding token, 2 with padding and mask tokens).</summary>
    int TokenOffset { get; }

    /// <summary>Hidden size of the encoder's outputs.</summary>
    new int Dim { get; }

    /// <summary>
    /// Encodes a packed batch. With <paramref name="lastOnly"/> the result is [sequences, Dim] (the last token of each
    /// sequence); otherwise [tokens, Dim], one row per packed token.
    /// </summary>
    Tensor Encode(SequenceInput input, bool lastOnly);

    /// <summary>The output layer that scores tokens: weight [rows, Dim] (item i at row i + TokenOffset) and an optional bias [rows].</summary>
    (Tensor Weight, Tensor? Bias) Output { get; }

    /// <summary>The output layer's item rows (the padding and mask rows cut off): weight [items, Dim] and bias [items] or null.</summary>
    (Tensor Weight, Tensor? Bias) ItemOutput()
    {
        var (weight, bias) = Output;
        return (Ops.Slice(weight, 0, TokenOffset, ItemCount), bias is null ? null : Ops.Slice(bias, 0, TokenOffset, ItemCount));
    }

    /// <summary>The token appended to a scoring history (BERT4Rec's mask token), or null.</summary>
    int? ScoringSuffix { get; }

    /// <summary>The item rows of the input embedding table [items × Dim] (what the diagnostics' erank and smoothness J measure).</summary>
    Tensor ItemEmbeddingTable { get; }

    int IFinalEmbeddings.Dim => Dim;

    /// <inheritdoc />
    /// <remarks>Sequence models have no user embeddings: users are their histories. Items are the input embedding's item rows.</remarks>
    (float[] Users, float[] Items) IFinalEmbeddings.Embeddings() =>
        ([], ItemEmbeddingTable.Span.Slice(TokenOffset * Dim, ItemCount * Dim).ToArray());
}
