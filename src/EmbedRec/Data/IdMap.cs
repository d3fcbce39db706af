namespace EmbedRec.Data;

/// <summary>A two-way map between external ids (as written in the data files) and dense ids 0..Count−1.</summary>
public sealed class IdMap
{
    private readonly Dictionary<string, int> _toDense = new(StringComparer.Ordinal);
    private readonly List<string> _external = [];

    /// <summary>Number of ids.</summary>
    public int Count => _external.Count;

    /// <summary>External ids in dense order.</summary>
    public IReadOnlyList<string> External => _external;

    /// <summary>The external id of dense id <paramref name="dense"/>.</summary>
    public string this[int dense] => _external[dense];

    /// <summary>The dense id of <paramref name="external"/>, adding it when new.</summary>
    public int GetOrAdd(string external)
    {
        if (_toDense.TryGetValue(external, out int id)) return id;
        id = _external.Count;
        _toDense.Add(external, id);
        _external.Add(external);
        return id;
    }

    /// <summary>Looks up an external id.</summary>
    public bool TryGet(string external, out int dense) => _toDense.TryGetValue(external, out dense);

    /// <summary>The dense id of <paramref name="external"/>; throws naming it when unknown.</summary>
    public int Dense(string external, string what = "id") =>
        _toDense.TryGetValue(external, out int id) ? id : throw new KeyNotFoundException($"Unknown {what} '{external}'.");

    /// <summary>A map holding the given external ids in order.</summary>
    public static IdMap From(IEnumerable<string> externals)
    {
        var m = new IdMap();
        foreach (var e in externals)
            if (m.GetOrAdd(e) != m.Count - 1) throw new ArgumentException($"Duplicate external id '{e}'.");
        return m;
    }
}
