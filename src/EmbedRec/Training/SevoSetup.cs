using EmbedRec.Data.Splits;
using EmbedRec.Graphs;
using EmbedRec.Models;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Optim;
using EmbedRec.Tensors.Sparse;

namespace EmbedRec.Training;

/// <summary>
/// Builds the SEvo groups of a model for a split: which embedding tables are smoothed over which normalized
/// graph. The graph's nodes are placed on the tables' rows through their row maps; rows outside the maps
/// (padding, mask tokens) and user rows of a joint table under an item graph are isolated nodes, only rescaled. Under an
/// item graph every item table is smoothed as its own group (BERT4Rec's embedding and output layer).
/// </summary>
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
    public static IReadOnlyList<SevoGroup> Groups(SevoSettings settings, IRecommender model, DataSplit split)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(split);
        if (model is not IEmbeddingTables { Tables.Count: > 0 } withTables)
            throw new InvalidOperationException($"SEvo needs a model with embedding tables; '{model.Name}' has none.");
        var tables = withTables.Tables;
        var itemTable = tables.FirstOrDefault(t => t.ItemRows > 0)
            ?? throw new InvalidOperationException($"SEvo needs an item table; '{model.Name}' has none.");
        if (settings.Graph == SevoGraph.UserItem)
        {
            var userTable = tables.FirstOrDefault(t => t.UserRows > 0)
                ?? throw new InvalidOperationException($"SEvo over the user–item graph needs a user table; '{model.Name}' has none.");
            var ui = ItemGraphs.Bipartite(split.Train).SymmetricNormalize();
            int nu = split.UserCount;
            if (ReferenceEquals(userTable, itemTable)) return [new SevoGroup([userTable.Weight], Place(ui, userTable.Rows, n => n < nu ? userTable.FirstUserRow + n : userTable.FirstItemRow + n - nu))];
            int offset = userTable.Rows;
            return [new SevoGroup([userTable.Weight, itemTable.Weight],
                Place(ui, userTable.Rows + itemTable.Rows, n => n < nu ? userTable.FirstUserRow + n : offset + itemTable.FirstItemRow + n - nu))];
        }
        // Every item table is its own group over the same graph (BERT4Rec: the embedding and the output layer, as the authors' code).
        var items = ItemGraph(settings, split);
        return tables.Where(t => t.ItemRows > 0 && t.UserRows == 0 || ReferenceEquals(t, itemTable))
            .Select(t => new SevoGroup([t.Weight], Place(items, t.Rows, i => t.FirstItemRow + i))).ToList();
    }

    /// <summary>
    /// <paramref name="graph"/> with node n moved to row <paramref name="row"/>(n) of a graph over <paramref name="rows"/> nodes
    /// (the graph itself when the placement is the identity).
    /// </summary>
    private static CsrMatrix<float> Place(CsrMatrix<float> graph, int rows, Func<int, int> row)
    {
        bool identity = rows == graph.RowCount;
        for (int n = 0; identity && n < graph.RowCount; n++) identity = row(n) == n;
        if (identity) return graph;
        var r = new List<int>(); var c = new List<int>(); var v = new List<float>();
        for (int i = 0; i < graph.RowCount; i++)
            for (int p = graph.RowPtr[i]; p < graph.RowPtr[i + 1]; p++) { r.Add(row(i)); c.Add(row(graph.ColIdx[p])); v.Add(graph.Values[p]); }
        return CsrMatrix<float>.FromCoo(rows, rows, r.ToArray(), c.ToArray(), v.ToArray());
    }
}
