using EmbedRec.Data.Splits;
using EmbedRec.Graphs;
using EmbedRec.Models;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Optim;
using EmbedRec.Tensors.Sparse;

namespace EmbedRec.Training;

/// <summary>Builds the SEvo groups of a model for a split: which tables are smoothed over which normalized graph.</summary>
public static class SevoSetup
{
    /// <summary>The normalized item graph of a kind, from training data only.</summary>
    public static CsrMatrix<float> ItemGraph(SevoSettings settings, DataSplit split)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(split);
        return settings.Graph switch
        {
            SevoGraph.ItemItem => ItemGraphs.CoOccurrence(split.Train, settings.CoOccurrence).SymmetricNormalize(),
            SevoGraph.Category => ItemGraphs.Category(split.Train.Categories
                ?? throw new InvalidOperationException("The category graph needs item categories (e.g. MovieLens genres); this dataset has none.")).SymmetricNormalize(),
            _ => throw new ArgumentException($"{settings.Graph} is not an item graph."),
        };
    }

    /// <summary>The smoothed groups for <paramref name="model"/>.</summary>
    public static IReadOnlyList<SevoGroup> Groups(SevoSettings settings, ITrainable model, DataSplit split)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is not IEmbeddingTables tables)
            throw new InvalidOperationException($"SEvo needs a model with embedding tables; '{model.Name}' has none.");
        if (settings.Graph == SevoGraph.UserItem)
        {
            var ui = ItemGraphs.Bipartite(split.Train).SymmetricNormalize();
            if (tables.JointTable is { } joint) return [new SevoGroup([joint], ui)];
            return [new SevoGroup([tables.UserTable!, tables.ItemTable!], ui)];
        }
        var items = ItemGraph(settings, split);
        if (tables.ItemTable is { } it) return [new SevoGroup([it], items)];
        // A joint table: the item graph sits in the item block, user rows have no neighbours (they are only rescaled).
        int nu = split.UserCount, n = nu + split.ItemCount;
        var rows = new List<int>(); var cols = new List<int>(); var vals = new List<float>();
        for (int i = 0; i < items.RowCount; i++)
            for (int p = items.RowPtr[i]; p < items.RowPtr[i + 1]; p++) { rows.Add(nu + i); cols.Add(nu + items.ColIdx[p]); vals.Add(items.Values[p]); }
        return [new SevoGroup([tables.JointTable!], CsrMatrix<float>.FromCoo(n, n, rows.ToArray(), cols.ToArray(), vals.ToArray()))];
    }

    /// <summary>Scale-free smoothness J(X)/‖X‖²_F of item embeddings over the item co-occurrence graph (lower = smoother).</summary>
    public static double ItemSmoothness(DataSplit split, float[] itemEmbeddings, int dim)
    {
        var g = ItemGraphs.CoOccurrence(split.Train).SymmetricNormalize();
        double energy = 0;
        foreach (float v in itemEmbeddings) energy += (double)v * v;
        return energy == 0 ? 0 : ItemGraphs.Smoothness(g, itemEmbeddings, dim) / energy;
    }
}
