namespace EmbedRec.Data;

/// <summary>Categories (e.g. MovieLens genres) of each item: a CSR list of category ids, with category names.</summary>
public sealed class ItemCategories
{
    /// <summary>Creates the table; <paramref name="perItem"/>[i] lists item i's categories.</summary>
    public ItemCategories(IReadOnlyList<string> names, IReadOnlyList<int[]> perItem)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(perItem);
        Names = names;
        Offsets = new int[perItem.Count + 1];
        var all = new List<int>();
        for (int i = 0; i < perItem.Count; i++)
        {
            foreach (int c in perItem[i])
            {
                if ((uint)c >= (uint)names.Count) throw new ArgumentOutOfRangeException(nameof(perItem), $"Item {i} has category {c}, but only {names.Count} are named.");
                all.Add(c);
            }
            Offsets[i + 1] = all.Count;
        }
        Ids = all.ToArray();
    }

    /// <summary>Category names by id.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Start of each item's categories.</summary>
    public int[] Offsets { get; }

    /// <summary>Category ids.</summary>
    public int[] Ids { get; }

    /// <summary>Items covered.</summary>
    public int ItemCount => Offsets.Length - 1;

    /// <summary>Categories of item <paramref name="item"/>.</summary>
    public ReadOnlySpan<int> Of(int item) => Ids.AsSpan(Offsets[item], Offsets[item + 1] - Offsets[item]);

    /// <summary>The table re-indexed by <paramref name="remap"/> (old dense id → new id or −1).</summary>
    public ItemCategories Remap(int[] remap, int newCount)
    {
        var per = new int[newCount][];
        for (int i = 0; i < newCount; i++) per[i] = [];
        for (int old = 0; old < Math.Min(remap.Length, ItemCount); old++)
            if (remap[old] >= 0) per[remap[old]] = Of(old).ToArray();
        return new ItemCategories(Names, per);
    }
}
