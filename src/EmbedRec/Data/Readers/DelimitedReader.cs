namespace EmbedRec.Data.Readers;

/// <summary>
/// Which columns of a delimited file hold what: names when the file has a header, 0-based
/// indices (as text, e.g. "0") otherwise.
/// </summary>
public sealed record DelimitedOptions
{
    /// <summary>Field separator; default comma.</summary>
    public char Delimiter { get; init; } = ',';

    /// <summary>Whether the first line names the columns.</summary>
    public bool HasHeader { get; init; } = true;

    /// <summary>User column (name or index).</summary>
    public string UserColumn { get; init; } = "user";

    /// <summary>Item column (name or index).</summary>
    public string ItemColumn { get; init; } = "item";

    /// <summary>Rating column, or null.</summary>
    public string? RatingColumn { get; init; }

    /// <summary>Timestamp column, or null.</summary>
    public string? TimestampColumn { get; init; }
}

/// <summary>CSV/TSV interaction files with a header or a column mapping. Quoted fields are not supported.</summary>
public static class DelimitedReader
{
    /// <summary>Reads the file into a builder.</summary>
    public static LogBuilder Read(string path, DelimitedOptions? options = null)
    {
        var o = options ?? new DelimitedOptions();
        var b = new LogBuilder();
        int iu = -1, ii = -1, ir = -1, it = -1, width = -1;
        bool first = true;
        foreach (var (line, text) in LineSource.Read(path))
        {
            var f = text.Split(o.Delimiter);
            if (first)
            {
                first = false;
                if (o.HasHeader)
                {
                    var names = f.Select(x => x.Trim()).ToList();
                    int Find(string? col)
                    {
                        if (col is null) return -1;
                        int k = names.IndexOf(col);
                        if (k < 0) throw new DataFormatException(path, line, $"the header has no column '{col}' (columns: {string.Join(", ", names)}).");
                        return k;
                    }
                    iu = Find(o.UserColumn); ii = Find(o.ItemColumn); ir = Find(o.RatingColumn); it = Find(o.TimestampColumn);
                    width = f.Length;
                    continue;
                }
                int Index(string? col)
                {
                    if (col is null) return -1;
                    if (!int.TryParse(col, out int k) || k < 0) throw new ArgumentException($"Without a header, column '{col}' must be a 0-based index.");
                    return k;
                }
                iu = Index(o.UserColumn); ii = Index(o.ItemColumn); ir = Index(o.RatingColumn); it = Index(o.TimestampColumn);
                width = new[] { iu, ii, ir, it }.Max() + 1;
            }
            if (f.Length < width)
                throw new DataFormatException(path, line, $"expected at least {width} fields separated by '{(o.Delimiter == '\t' ? "\\t" : o.Delimiter)}', found {f.Length}: '{text}'.");
            b.Add(f[iu].Trim(), f[ii].Trim(),
                ir >= 0 ? LineSource.ParseFloat(path, line, f[ir].Trim(), "rating") : null,
                it >= 0 ? LineSource.ParseLong(path, line, f[it].Trim(), "timestamp") : null);
        }
        return b;
    }
}
