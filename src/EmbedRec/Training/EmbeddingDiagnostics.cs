using EmbedRec.Data.Splits;
using EmbedRec.Evaluation;
using EmbedRec.Models;

namespace EmbedRec.Training;

/// <summary>
/// Structure diagnostics of a model's final item embeddings, for models that expose them
/// (<see cref="IFinalEmbeddings"/>): effective rank (DirectSpec's collapse measure), the normalized
/// singular-value spectrum, and smoothness over the item co-occurrence graph (SEvo's J).
/// </summary>
public static class EmbeddingDiagnostics
{
    /// <summary>Effective rank of the final item embeddings, or null when the model has none.</summary>
    public static double? ItemErank(IRecommender model) =>
        model is IFinalEmbeddings e ? Spectrum.EffectiveRank(e.Embeddings().Items, e.Dim) : null;

    /// <summary><paramref name="result"/> with smoothness, effective rank and spectrum of the final item embeddings added (unchanged for models without them).</summary>
    public static TrainingResult Add(TrainingResult result, IRecommender model, DataSplit split)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (model is not IFinalEmbeddings e) return result;
        var items = e.Embeddings().Items;
        var spectrum = Spectrum.Normalized(items, e.Dim);
        return result with
        {
            ItemSmoothness = SevoSetup.ItemSmoothness(split, items, e.Dim),
            ItemErank = Spectrum.EffectiveRank(spectrum),
            ItemSpectrum = spectrum,
        };
    }
}
