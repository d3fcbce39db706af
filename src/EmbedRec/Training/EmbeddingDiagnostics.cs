using EmbedRec.Graphs;
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
            ItemSmoothness = ItemSmoothness(split, items, e.Dim),
            ItemErank = Spectrum.EffectiveRank(spectrum),
            ItemSpectrum = spectrum,
        };
    }

    /// <summary>Scale-free smoothness J(X)/‖X‖²_F of item embeddings over the item co-occurrence graph (lower = smoother).</summary>
    public static double ItemSmoothness(DataSplit split, float[] itemEmbeddings, int dim)
    {
        ArgumentNullException.ThrowIfNull(itemEmbeddings);
        var g = ItemGraphs.CoOccurrence(split.Train).SymmetricNormalize();
        double energy = 0;
        foreach (float v in itemEmbeddings) energy += (double)v * v;
        return energy == 0 ? 0 : ItemGraphs.Smoothness(g, itemEmbeddings, dim) / energy;
    }
}
