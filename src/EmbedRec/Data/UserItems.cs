namespace EmbedRec.Data;

/// <summary>
/// For each user, the sorted set of distinct items (CSR layout). Membership is a binary search, so
/// samplers and evaluators test "has the user seen this item" without allocating.
/// </summary>
public sealed class UserItems : UserLists
{
    private UserItems(int[] offsets, int[] items, int itemCount) : base(offsets, items, itemCount)
    {
    }

    /// <summary>Whether <paramref name="user"/> has <paramref name="item"/>.</summary>
    public bool Contains(int user, int item) => Of(user).BinarySearch(item) >= 0;

    /// <summary>Builds the sets from parallel user and item columns (duplicates removed).</summary>
    public static UserItems From(int userCount, ReadOnlySpan<int> users, ReadOnlySpan<int> items, int itemCount = -1)
    {
        var counts = new int[userCount + 1];
        foreach (int u in users) counts[u + 1]++;
        for (int u = 0; u < userCount; u++) counts[u + 1] += counts[u];
        var fill = (int[])counts.Clone();
        var all = new int[users.Length];
        for (int r = 0; r < users.Length; r++) all[fill[users[r]]++] = items[r];
        var offsets = new int[userCount + 1];
        int w = 0;
        for (int u = 0; u < userCount; u++)
        {
            int s = counts[u], len = counts[u + 1] - s;
            Array.Sort(all, s, len);
            int start = w;
            for (int p = s; p < s + len; p++)
                if (w == start || all[w - 1] != all[p]) all[w++] = all[p];
            offsets[u + 1] = w;
        }
        Array.Resize(ref all, w);
        return new UserItems(offsets, all, itemCount);
    }

    /// <summary>The union of two set families over the same users.</summary>
    public static UserItems Union(UserItems a, UserItems b)
    {
        if (a.UserCount != b.UserCount) throw new ArgumentException($"Union of set families with {a.UserCount} and {b.UserCount} users.");
        var users = new List<int>(a.PairCount + b.PairCount);
        var items = new List<int>(a.PairCount + b.PairCount);
        foreach (var src in new[] { a, b })
            for (int u = 0; u < src.UserCount; u++)
                foreach (int i in src.Of(u)) { users.Add(u); items.Add(i); }
        return From(a.UserCount, users.ToArray(), items.ToArray(), Math.Max(a.ItemCount, b.ItemCount));
    }

    /// <summary>An empty family for <paramref name="userCount"/> users.</summary>
    public static UserItems Empty(int userCount, int itemCount = -1) => new(new int[userCount + 1], [], itemCount);
}
