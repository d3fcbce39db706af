namespace EmbedRec.Data.Readers;

/// <summary>
/// Which columns of a delimited file hold what: header names, or 0-based indices (as text, e.g. "0").
/// </summary>
public sealed record DelimitedOptions
{
    /// <summary>
    /// Field separator; default comma. A single space means any run of spaces and tabs (leading and
    /// trailing ones ignored); any other separator splits exactly, so empty fields count.
    /// </summary>
    public string Delimiter { get; init; } = ",";

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

    /// <summary>
    /// Fields every line must have; null: as many as the header has, or without a header at least
    /// enough for the mapped columns.
    /// </summary>
    public int? FieldCount { get; init; }

    /// <summary>These options with the columns of <paramref name="columns"/>.</summary>
    public DelimitedOptions With(ColumnMap columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        return this with { UserColumn = columns.User, ItemColumn = columns.Item, RatingColumn = columns.Rating, TimestampColumn = columns.Time };
    }

    /// <summary>The separator in words, for messages (e.g. "tabs", "','").</summary>
    public string DelimiterName => DelimitedReader.NameOf(Delimiter);
}

/// <summary>CSV/TSV interaction files with a header or a column mapping. Quoted fields are not supported.</summary>
public static class DelimitedReader
{
    /// <summary>Reads the file into a builder; every line must have the same number of fields.</summary>
    public static LogBuilder Read(string path, DelimitedOptions? options = null)
    {
        var o = options ?? new DelimitedOptions();
        if (string.IsNullOrEmpty(o.Delimiter)) throw new ArgumentException("The delimiter is empty.", nameof(options));
        var b = new LogBuilder();
        int iu = -1, ii = -1, ir = -1, it = -1, width = -1;
        bool exact = true, first = true;
        foreach (var (line, text) in LineSource.Read(path))
        {
            var f = Split(text, o.Delimiter);
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
                        if (k < 0 && ColumnMap.IsIndex(col, out int index) && index < names.Count) k = index;
                        if (k < 0) throw new DataFormatException(path, line, $"the header has no column '{col}' (columns: {string.Join(", ", names)}).");
                        return k;
                    }
                    iu = Find(o.UserColumn); ii = Find(o.ItemColumn); ir = Find(o.RatingColumn); it = Find(o.TimestampColumn);
                    width = f.Length;
                    if (o.FieldCount is { } n && n != width)
                        throw new DataFormatException(path, line, $"the header has {width} fields separated by {NameOf(o.Delimiter)}, expected {n}.");
                    continue;
                }
                int Index(string? col)
                {
                    if (col is null) return -1;
                    if (!ColumnMap.IsIndex(col, out int k)) throw new ArgumentException($"Without a header, column '{col}' must be a 0-based index.", nameof(options));
                    return k;
                }
                iu = Index(o.UserColumn); ii = Index(o.ItemColumn); ir = Index(o.RatingColumn); it = Index(o.TimestampColumn);
                exact = o.FieldCount is not null;
                width = o.FieldCount ?? new[] { iu, ii, ir, it }.Max() + 1;
                if (width <= new[] { iu, ii, ir, it }.Max())
                    throw new ArgumentException($"Column index {new[] { iu, ii, ir, it }.Max()} is out of range for {width} fields.", nameof(options));
            }
            if (exact ? f.Length != width : f.Length < width)
                throw new DataFormatException(path, line, $"expected {(exact ? "" : "at least ")}{width} fields separated by {NameOf(o.Delimiter)}, found {f.Length}: '{text}'.");
            b.Add(f[iu].Trim(), f[ii].Trim(),
                ir >= 0 ? LineSource.ParseFloat(path, line, f[ir].Trim(), "rating") : null,
                it >= 0 ? LineSource.ParseLong(path, line, f[it].Trim(), "timestamp") : null);
        }
        return b;
    }

    /// <summary>Splits a line on <paramref name="delimiter"/> (a single space: runs of spaces and tabs).</summary>
    internal static string[] Split(string text, string delimiter) =>
        delimiter == " " ? text.Split(LineSource.Whitespace, StringSplitOptions.RemoveEmptyEntries)
        : delimiter.Length == 1 ? text.Split(delimiter[0]) : text.Split(delimiter);

    internal static string NameOf(string delimiter) => delimiter switch
    {
        " " => "spaces",
        "\t" => "tabs",
        "," => "commas",
        ";" => "semicolons",
        _ => $"'{delimiter}'",
    };
}
