namespace EmbedRec.Data;

/// <summary>Per-user lists of items in CSR layout: the shape shared by <see cref="UserItems"/> (sorted sets) and <see cref="UserSequences"/> (chronological histories).</summary>
public abstract class UserLists
{
    /// <summary>Wraps the CSR arrays.</summary>
    protected UserLists(int[] offsets, int[] items, int itemCount)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        ArgumentNullException.ThrowIfNull(items);
        Offsets = offsets;
        Items = items;
        ItemCount = itemCount;
    }

    /// <summary>Start of each user's items; length users + 1.</summary>
    public int[] Offsets { get; }

    /// <summary>Items, user after user.</summary>
    public int[] Items { get; }

    /// <summary>Users.</summary>
    public int UserCount => Offsets.Length - 1;

    /// <summary>Size of the item id space (for validation), or −1 when unknown.</summary>
    public int ItemCount { get; }

    /// <summary>Total stored items.</summary>
    public int PairCount => Items.Length;

    /// <summary>Items of <paramref name="user"/>.</summary>
    public ReadOnlySpan<int> Of(int user) => Items.AsSpan(Offsets[user], Offsets[user + 1] - Offsets[user]);

    /// <summary>Number of items of <paramref name="user"/>.</summary>
    public int Degree(int user) => Offsets[user + 1] - Offsets[user];
}
