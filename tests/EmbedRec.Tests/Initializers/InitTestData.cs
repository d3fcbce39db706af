using EmbedRec.Config;
using EmbedRec.Data;
using EmbedRec.Data.Splits;
using EmbedRec.Models;
using EmbedRec.Tensors;
using EmbedRec.Training;

namespace EmbedRec.Tests.Initializers;

/// <summary>Small splits and models for the initializer tests.</summary>
internal static class InitTestData
{
    /// <summary>A small synthetic log under the Leporid split (every item in training, no isolated node).</summary>
    public static DataSplit Split(int users = 160, int items = 90, ulong seed = 3) =>
        new LeporidSplit().Split(SyntheticData.Generate(new SyntheticOptions { Users = users, Items = items, Clusters = 6, MeanLength = 12, MinLength = 5, Seed = seed }));

    /// <summary>A model built by its registration for <paramref name="split"/>, embedding size <paramref name="d"/>.</summary>
    public static IEmbeddingTables Model(string name, DataSplit split, int d = 8)
    {
        var c = new RunConfig().With("model", name).With("dataset", "synthetic").With(name == "neumf" ? "model.gmf_size" : "model.embedding_size", d.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var spec = RunSpec.Resolve(c);
        return (IEmbeddingTables)spec.Model.Registration.Create(spec.Model.Options, new ModelContext(split, new Rng(1)));
    }

    /// <summary>Rows [first, first + count) of a table as doubles.</summary>
    public static double[][] Rows(EmbeddingTable t, bool users)
    {
        int first = users ? t.FirstUserRow : t.FirstItemRow, count = users ? t.UserRows : t.ItemRows, d = t.Dim;
        var w = t.Weight.ToArray();
        return Enumerable.Range(0, count).Select(i => w.AsSpan((first + i) * d, d).ToArray().Select(x => (double)x).ToArray()).ToArray();
    }
}
