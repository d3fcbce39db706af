using System.Text.Json;
using EmbedRec.Data.Splits;
using EmbedRec.Models;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Serialization;

namespace EmbedRec.Initializers;

/// <summary>
/// A model's learned user and item embeddings as one safetensors file, readable anywhere: tensors
/// <c>user</c> [users, d] and <c>item</c> [items, d] (the rows of the first table holding each, padding
/// rows left out) and, in the header's metadata, <c>user_ids</c> and <c>item_ids</c>: the external ids
/// of the rows as JSON arrays. Every trained run writes one (<c>embeddings.safetensors</c>); the
/// <c>pretrained</c> initializer reads it, or any file of this shape (the id lists are optional).
/// </summary>
public static class EmbeddingFile
{
    /// <summary>The file name inside a run directory.</summary>
    public const string FileName = "embeddings.safetensors";

    /// <summary>Writes the user and item rows of <paramref name="tables"/> with the split's external ids.</summary>
    public static void Write(string path, IReadOnlyList<EmbeddingTable> tables, DataSplit split, string model)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(split);
        var tensors = new List<KeyValuePair<string, Tensor>>();
        var meta = new Dictionary<string, string> { ["model"] = model };
        if (tables.FirstOrDefault(t => t.UserRows > 0) is { } ut)
        {
            tensors.Add(new("user", Rows(ut, ut.FirstUserRow, ut.UserRows)));
            meta["user_ids"] = JsonSerializer.Serialize(split.Train.Users.External);
        }
        if (tables.FirstOrDefault(t => t.ItemRows > 0) is { } it)
        {
            tensors.Add(new("item", Rows(it, it.FirstItemRow, it.ItemRows)));
            meta["item_ids"] = JsonSerializer.Serialize(split.Train.Items.External);
        }
        if (tensors.Count == 0) throw new ArgumentException($"Model '{model}' has no user or item rows to write.");
        SafeTensors.Save(path, tensors, meta); // atomic: a temporary renamed into place
    }

    private static Tensor Rows(EmbeddingTable t, int first, int count) =>
        Tensor.FromArray(t.Weight.Span.Slice(first * t.Dim, count * t.Dim).ToArray(), count, t.Dim);

    /// <summary>The embeddings of <paramref name="path"/> by kind ("user", "item"), with their ids when the file names them.</summary>
    public static IReadOnlyDictionary<string, (Tensor Rows, IReadOnlyList<string>? Ids)> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}' does not exist.", path);
        var (entries, meta) = SafeTensors.Read(path, SafeTensors.Checks.Finite); // NaN embeddings are refused here, not found later as a diverged loss
        var result = new Dictionary<string, (Tensor, IReadOnlyList<string>?)>();
        foreach (var kind in new[] { "user", "item" })
        {
            var e = entries.FirstOrDefault(x => x.Name == kind);
            if (e?.Tensor is null) continue;
            if (e.Tensor.Rank != 2) throw new InvalidDataException($"'{path}': '{kind}' has shape [{string.Join(", ", e.Tensor.Shape.ToArray())}], not [rows, d].");
            IReadOnlyList<string>? ids = null;
            if (meta.TryGetValue(kind + "_ids", out var json))
            {
                try { ids = JsonSerializer.Deserialize<string[]>(json); }
                catch (JsonException x) { throw new InvalidDataException($"'{path}': the metadata '{kind}_ids' is not a JSON list of ids ({x.Message}).", x); }
                if (ids is null || ids.Count != e.Tensor.Dim(0))
                    throw new InvalidDataException($"'{path}': '{kind}_ids' names {ids?.Count ?? 0} ids for {e.Tensor.Dim(0)} rows.");
                if (ids.GroupBy(x => x, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } dup)
                    throw new InvalidDataException($"'{path}': '{kind}_ids' names '{dup.Key}' {dup.Count()} times; each row needs its own id.");
            }
            result[kind] = (e.Tensor, ids);
        }
        if (result.Count == 0) throw new InvalidDataException($"'{path}' holds neither a 'user' nor an 'item' tensor; tensors: {string.Join(", ", entries.Select(x => x.Name))}.");
        return result;
    }
}
