namespace EmbedRec.Config;

/// <summary>The error text for an unknown key: the closest known key when one is close, and the known keys.</summary>
public static class KeySuggestion
{
    /// <summary>"unknown key 'x'. Did you mean 'y'? Known keys: ..." for <paramref name="name"/> among <paramref name="known"/>.</summary>
    public static string Unknown(string name, IEnumerable<string> known, string? context = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var list = known.ToList();
        var text = $"unknown key '{name}'{(context is null ? "" : " " + context)}.";
        if (list.Count == 0) return text + " This section takes no keys.";
        var best = list.Select(k => (Key: k, D: Distance(name, k))).OrderBy(x => x.D).First();
        if (best.D <= Math.Max(2, name.Length / 3)) text += $" Did you mean '{best.Key}'?";
        return text + $" Known keys: {string.Join(", ", list)}.";
    }

    /// <summary>Levenshtein distance.</summary>
    public static int Distance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
