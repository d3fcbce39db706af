using System.Globalization;

namespace EmbedRec.Data;

/// <summary>
/// Collects rows with external ids and builds an <see cref="InteractionLog"/>. When every external
/// id of a kind is an integer, dense ids follow numeric order (so 0-based contiguous ids keep their
/// value, and 1-based ones become value − 1); otherwise they follow first appearance.
/// </summary>
public sealed class LogBuilder
{
    private readonly List<string> _users = [], _items = [];
    private readonly List<float> _ratings = [];
    private readonly List<long> _times = [];

    /// <summary>Whether rows carry ratings (decided by the first row).</summary>
    public bool? HasRating { get; private set; }

    /// <summary>Whether rows carry timestamps (decided by the first row).</summary>
    public bool? HasTimestamp { get; private set; }

    /// <summary>Rows added.</summary>
    public int Count => _users.Count;

    /// <summary>Adds one interaction.</summary>
    public void Add(string user, string item, float? rating = null, long? timestamp = null)
    {
        HasRating ??= rating.HasValue;
        HasTimestamp ??= timestamp.HasValue;
        if (HasRating != rating.HasValue || HasTimestamp != timestamp.HasValue)
            throw new ArgumentException("Every row must have the same optional columns as the first.");
        _users.Add(user);
        _items.Add(item);
        if (rating.HasValue) _ratings.Add(rating.Value);
        if (timestamp.HasValue) _times.Add(timestamp.Value);
    }

    /// <summary>Builds one log with its own id maps.</summary>
    public InteractionLog Build(string? source = null, ItemCategoriesSource? categories = null)
    {
        var users = MakeMap(_users);
        var items = MakeMap(_items);
        return Build(users, items, source, categories);
    }

    /// <summary>Builds a log over given id maps (which must contain every id of this builder).</summary>
    public InteractionLog Build(IdMap users, IdMap items, string? source = null, ItemCategoriesSource? categories = null)
    {
        var u = new int[Count];
        var i = new int[Count];
        for (int r = 0; r < Count; r++) { u[r] = users.Dense(_users[r], "user"); i[r] = items.Dense(_items[r], "item"); }
        return new InteractionLog(users, items, u, i, HasRating == true ? _ratings.ToArray() : null, HasTimestamp == true ? _times.ToArray() : null,
            categories?.For(items), source);
    }

    /// <summary>Id map over the given external ids: numeric order when all are integers, else first appearance.</summary>
    public static IdMap MakeMap(IEnumerable<string> externals)
    {
        var distinct = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in externals) if (seen.Add(e)) distinct.Add(e);
        bool numeric = distinct.All(e => long.TryParse(e, NumberStyles.Integer, CultureInfo.InvariantCulture, out _));
        if (numeric) distinct.Sort((a, b) => long.Parse(a, CultureInfo.InvariantCulture).CompareTo(long.Parse(b, CultureInfo.InvariantCulture)));
        return IdMap.From(distinct);
    }

    /// <summary>External user ids of the rows.</summary>
    public IReadOnlyList<string> UserIds => _users;

    /// <summary>External item ids of the rows.</summary>
    public IReadOnlyList<string> ItemIds => _items;
}

/// <summary>Item categories keyed by external item id, attached to a log once its item ids are known.</summary>
public sealed class ItemCategoriesSource(IReadOnlyList<string> names, IReadOnlyDictionary<string, int[]> byExternalItem)
{
    /// <summary>Category names.</summary>
    public IReadOnlyList<string> Names { get; } = names;

    /// <summary>Categories per external item id.</summary>
    public IReadOnlyDictionary<string, int[]> ByExternalItem { get; } = byExternalItem;

    /// <summary>The categories of the items in <paramref name="items"/> (items without an entry get none).</summary>
    public ItemCategories For(IdMap items) =>
        new(Names, Enumerable.Range(0, items.Count).Select(i => ByExternalItem.TryGetValue(items[i], out var c) ? c : []).ToList());
}
