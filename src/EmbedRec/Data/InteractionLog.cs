namespace EmbedRec.Data;

/// <summary>
/// A columnar log of user–item interactions: dense user and item ids (with their external ids in
/// <see cref="Users"/> and <see cref="Items"/>), optional ratings and timestamps, and optional item
/// categories. Row order is meaningful: without timestamps it is the chronological order.
/// Logs derived from one another (filters, splits) share their id maps, so ids stay comparable.
/// </summary>
public sealed class InteractionLog
{
    /// <summary>Creates a log; columns must have equal length and ids must be in range.</summary>
    public InteractionLog(IdMap users, IdMap items, int[] user, int[] item, float[]? rating = null, long[]? timestamp = null,
        ItemCategories? categories = null, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(item);
        if (user.Length != item.Length || (rating is not null && rating.Length != user.Length) || (timestamp is not null && timestamp.Length != user.Length))
            throw new ArgumentException($"Interaction columns differ in length: {user.Length} users, {item.Length} items, {rating?.Length} ratings, {timestamp?.Length} timestamps.");
        for (int r = 0; r < user.Length; r++)
            if ((uint)user[r] >= (uint)users.Count || (uint)item[r] >= (uint)items.Count)
                throw new ArgumentOutOfRangeException(nameof(user), $"Row {r}: user {user[r]} or item {item[r]} is outside the id maps ({users.Count} users, {items.Count} items).");
        Users = users;
        Items = items;
        User = user;
        Item = item;
        Rating = rating;
        Timestamp = timestamp;
        Categories = categories;
        Source = source;
    }

    /// <summary>User id map.</summary>
    public IdMap Users { get; }

    /// <summary>Item id map.</summary>
    public IdMap Items { get; }

    /// <summary>Dense user id per row.</summary>
    public int[] User { get; }

    /// <summary>Dense item id per row.</summary>
    public int[] Item { get; }

    /// <summary>Rating per row, or null.</summary>
    public float[]? Rating { get; }

    /// <summary>Timestamp per row (any monotone unit, usually unix seconds), or null.</summary>
    public long[]? Timestamp { get; }

    /// <summary>Item categories (genres), or null.</summary>
    public ItemCategories? Categories { get; }

    /// <summary>Where the log came from (file or dataset name), for messages.</summary>
    public string? Source { get; }

    /// <summary>Number of interactions.</summary>
    public int Count => User.Length;

    /// <summary>Users in the id space (some may have no rows).</summary>
    public int UserCount => Users.Count;

    /// <summary>Items in the id space.</summary>
    public int ItemCount => Items.Count;

    /// <summary>The rows at <paramref name="rows"/>, in that order, sharing id maps.</summary>
    public InteractionLog Select(ReadOnlySpan<int> rows)
    {
        var u = new int[rows.Length];
        var i = new int[rows.Length];
        var r = Rating is null ? null : new float[rows.Length];
        var t = Timestamp is null ? null : new long[rows.Length];
        for (int k = 0; k < rows.Length; k++)
        {
            int row = rows[k];
            u[k] = User[row];
            i[k] = Item[row];
            if (r is not null) r[k] = Rating![row];
            if (t is not null) t[k] = Timestamp![row];
        }
        return new InteractionLog(Users, Items, u, i, r, t, Categories, Source);
    }

    /// <summary>The rows for which <paramref name="keep"/> is true.</summary>
    public InteractionLog Where(Func<int, bool> keep)
    {
        ArgumentNullException.ThrowIfNull(keep);
        var rows = new List<int>(Count);
        for (int r = 0; r < Count; r++) if (keep(r)) rows.Add(r);
        return Select(rows.ToArray());
    }

    /// <summary>
    /// A copy whose id maps hold only the users and items that occur, renumbered in order of first
    /// appearance in the current dense order (used after filtering).
    /// </summary>
    public InteractionLog Compact()
    {
        var usedU = new bool[UserCount];
        var usedI = new bool[ItemCount];
        for (int r = 0; r < Count; r++) { usedU[User[r]] = true; usedI[Item[r]] = true; }
        var (um, uRemap) = Renumber(Users, usedU);
        var (im, iRemap) = Renumber(Items, usedI);
        var u = User.Select(x => uRemap[x]).ToArray();
        var i = Item.Select(x => iRemap[x]).ToArray();
        return new InteractionLog(um, im, u, i, Rating?.ToArray(), Timestamp?.ToArray(), Categories?.Remap(iRemap, im.Count), Source);
    }

    private static (IdMap, int[]) Renumber(IdMap map, bool[] used)
    {
        var remap = new int[used.Length];
        var m = new IdMap();
        for (int d = 0; d < used.Length; d++) remap[d] = used[d] ? m.GetOrAdd(map[d]) : -1;
        return (m, remap);
    }

    /// <summary>
    /// Row indices grouped by user in chronological order: by timestamp when present (ties keep
    /// file order), else file order.
    /// </summary>
    public UserRows ByUser()
    {
        var counts = new int[UserCount + 1];
        foreach (int u in User) counts[u + 1]++;
        for (int u = 0; u < UserCount; u++) counts[u + 1] += counts[u];
        var fill = (int[])counts.Clone();
        var rows = new int[Count];
        for (int r = 0; r < Count; r++) rows[fill[User[r]]++] = r;
        if (Timestamp is { } ts)
        {
            var keys = new long[Count];
            for (int u = 0; u < UserCount; u++)
            {
                var seg = rows.AsSpan(counts[u], counts[u + 1] - counts[u]);
                // stable: sort by (timestamp, row)
                var arr = seg.ToArray();
                Array.Sort(arr, (a, b) => ts[a] != ts[b] ? ts[a].CompareTo(ts[b]) : a.CompareTo(b));
                arr.CopyTo(seg);
            }
        }
        return new UserRows(counts, rows);
    }

    /// <summary>Sorted, de-duplicated item sets per user.</summary>
    public UserItems ToUserItems() => UserItems.From(UserCount, User, Item);

    /// <summary>Interactions per item.</summary>
    public int[] ItemCounts()
    {
        var c = new int[ItemCount];
        foreach (int i in Item) c[i]++;
        return c;
    }

    /// <summary>Interactions per user.</summary>
    public int[] UserCounts()
    {
        var c = new int[UserCount];
        foreach (int u in User) c[u]++;
        return c;
    }
}

/// <summary>Row indices of a log grouped by user (CSR layout), chronological within each user.</summary>
public sealed class UserRows(int[] offsets, int[] rows)
{
    /// <summary>Start of each user's rows; length users + 1.</summary>
    public int[] Offsets { get; } = offsets;

    /// <summary>Row indices.</summary>
    public int[] Rows { get; } = rows;

    /// <summary>Rows of user <paramref name="user"/>, oldest first.</summary>
    public ReadOnlySpan<int> Of(int user) => Rows.AsSpan(Offsets[user], Offsets[user + 1] - Offsets[user]);

    /// <summary>Number of rows of user <paramref name="user"/>.</summary>
    public int Length(int user) => Offsets[user + 1] - Offsets[user];
}
