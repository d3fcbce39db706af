using System.Globalization;
using EmbedRec.Data.Readers;

namespace EmbedRec.Data.Registry;

/// <summary>The layout chosen for a file, and why.</summary>
/// <param name="Layout">The layout.</param>
/// <param name="Reason">What was seen, e.g. "tab-separated, 4 fields in all 1,000 sampled lines (all numeric), no header: user item rating time".</param>
/// <param name="Delimited">For <see cref="DatasetLayout.Csv"/>: how to read the columns; else null.</param>
public sealed record DetectedLayout(DatasetLayout Layout, string Reason, DelimitedOptions? Delimited = null);

/// <summary>
/// Tells the layout of an interaction file from its first lines (<see cref="SampleLines"/>), and says
/// why. It rejects binary input, accepts a layout only when every sampled line agrees with it (same
/// field count, numbers where a rating or time is expected), recognizes a header by its column names,
/// and when two layouts fit equally it throws instead of guessing, asking for <c>--format</c> or
/// <c>--columns</c>. Every error is a <see cref="DataFormatException"/> naming the file, and the line
/// when one line is at fault.
/// </summary>
public static class LayoutDetector
{
    /// <summary>Lines read to decide (non-blank lines from the top of the file).</summary>
    public const int SampleLines = 1000;

    /// <summary>Ratings are numbers within ±<see cref="RatingBound"/> (1–5 stars, 0/1 clicks, 0–100 scores).</summary>
    public const double RatingBound = 100;

    /// <summary>Timestamps are whole numbers from <see cref="TimeFloor"/> on (Unix seconds after March 1973, or milliseconds).</summary>
    public const double TimeFloor = 100_000_000;

    // Tried in this order; the first that splits every sampled line into the same number (≥ 2) of
    // fields wins. A single space stands for runs of spaces and tabs, so it comes last.
    private static readonly string[] Delimiters = ["::", "\t", ",", ";", "|", " "];

    private static readonly string[] RoleNames = ["user", "item", "rating", "time"];

    // Normalized (lower case, no '_', '-', ' ', '.', no RecBole ':type' suffix) header names per role.
    private static readonly string[][] KnownNames =
    [
        ["user", "userid", "uid", "users", "reviewerid", "customerid"],
        ["item", "itemid", "iid", "items", "movieid", "movie", "productid", "asin", "businessid", "bookid", "articleid", "trackid", "songid"],
        ["rating", "ratings", "score", "stars", "rate"],
        ["time", "timestamp", "ts", "unixtime", "unixreviewtime"],
    ];

    /// <summary>Header names recognized for each role, for messages and docs.</summary>
    public static string KnownNamesText =>
        string.Join("; ", RoleNames.Select((r, k) => $"{r}: {string.Join(", ", KnownNames[k])}"));

    /// <summary>
    /// Tells the layout of <paramref name="path"/>: RecBole atomic, delimited columns (with or without a
    /// header), <c>user item</c> pairs, one user per line, or CiteULike's count-first lines. With
    /// <paramref name="columns"/> the file must be delimited columns.
    /// </summary>
    public static DetectedLayout Detect(string path, ColumnMap? columns = null)
    {
        var s = Sample.Read(path);
        if (columns is null && IsAtomicHeader(s.Lines[0].Text))
            return new(DatasetLayout.Atomic, $"RecBole atomic file: line {s.Lines[0].Line} is a typed header ({s.Lines[0].Text.Replace('\t', ' ')})");
        foreach (var d in Delimiters)
            if (s.Consistent(d) is { } k) return Columns(s, d, k, columns, delimitedOnly: columns is not null);
        foreach (var d in Delimiters.Where(d => d is not ("\t" or " ")))
            if (s.Dominant(d, strict: false) is { } bad) throw bad;
        var ws = s.Lines.Select(l => DelimitedReader.Split(l.Text, " ")).ToList();
        if (ws.All(f => f.Length == 1))
            throw new DataFormatException(path, s.Lines[0].Line, $"one field per line ('{Clip(s.Lines[0].Text)}'): expected a user and an item separated by tabs, commas, '::', ';', '|' or spaces.");
        string lengths = $"{ws.Min(f => f.Length)}–{ws.Max(f => f.Length)} fields";
        if (columns is null && ws.All(f => int.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n == f.Length - 1))
            return new(DatasetLayout.CountFirst, $"space-separated lines of {lengths} whose first field counts the rest in {s.All}: n item ... item (CiteULike), user = line number");
        var firstRoles = ws[0].Select(RoleOf).ToList();
        bool named = firstRoles.Contains(0) && firstRoles.Contains(1); // a header: columns, whatever the first field
        if (columns is null && !named && ws.Select(f => f[0]).Distinct(StringComparer.Ordinal).Count() == ws.Count)
            return new(DatasetLayout.UserLines, $"space-separated lines of {lengths} in {s.All}, each with a different user first: user item item ... (one user per line)");
        throw s.Dominant(" ", strict: true, columns is not null ? "" : named ? "; line 1 is a header, so this is not one user per line"
            : "; users repeat across lines, so this is not one user per line (if it is, pass --format user-lines)")!;
    }

    /// <summary>
    /// Reads <paramref name="path"/> as delimited columns (the <c>csv</c> and <c>tsv</c> formats): the
    /// separator (unless given), the header and the columns are found as in <see cref="Detect"/>.
    /// </summary>
    public static DetectedLayout DetectDelimited(string path, ColumnMap? columns = null, string? delimiter = null)
    {
        var s = Sample.Read(path);
        if (delimiter is not null)
            return s.Consistent(delimiter) is { } k ? Columns(s, delimiter, k, columns, delimitedOnly: true) : throw s.Dominant(delimiter, strict: true)!;
        foreach (var d in Delimiters)
            if (s.Consistent(d) is { } k) return Columns(s, d, k, columns, delimitedOnly: true);
        foreach (var d in Delimiters)
            if (s.Dominant(d, strict: false) is { } bad) throw bad;
        throw new DataFormatException(path, 0, $"no separator (tab, comma, '::', ';', '|' or spaces) splits the lines into the same number of fields in {s.All}.");
    }

    private static DetectedLayout Columns(Sample s, string d, int k, ColumnMap? columns, bool delimitedOnly)
    {
        var rows = s.Lines.Select(l => DelimitedReader.Split(l.Text, d).Select(f => f.Trim()).ToArray()).ToList();
        bool header = HasHeader(s, rows, columns);
        var data = header ? rows.Skip(1).ToList() : rows;
        var lines = header ? s.Lines.Skip(1).ToList() : s.Lines;
        string where = $"{Separated(d)}, {k} fields in {s.All}{(data.All(r => r.All(LineSource.IsNumber)) && data.Count > 0 ? " (all numeric)" : "")}";
        if (!header && columns is null && !delimitedOnly && d is (" " or "\t"))
        {
            if (k == 2) return new(DatasetLayout.Pairs, $"{where}, no header: user item (file order is the time order)");
            if (data.Select(r => r[0]).Distinct(StringComparer.Ordinal).Count() == data.Count)
                throw new DataFormatException(s.Path, 0, $"cannot tell the layout: {where} and no user repeats, so each line could be one user (user item item ...) " +
                    "or one interaction (user item rating ...); pass --format user-lines, or --columns user=0,item=1,... (0-based fields).");
        }
        var map = new int[4];
        string how;
        if (columns is not null)
        {
            for (int r = 0; r < 4; r++) map[r] = columns.ByRole[r] is { } c ? Resolve(s, rows[0], k, c) : -1;
            how = $"--columns {columns}";
        }
        else if (header)
        {
            for (int r = 0; r < 4; r++) map[r] = Array.FindIndex(rows[0], f => RoleOf(f) == r);
            var ignored = rows[0].Where((_, j) => !map.Contains(j)).ToList();
            how = string.Join(" ", Enumerable.Range(0, 4).Where(r => map[r] >= 0).Select(r => $"{RoleNames[r]}={rows[0][map[r]]}"))
                + (ignored.Count > 0 ? $" (ignored: {string.Join(", ", ignored)})" : "");
        }
        else how = Positional(s, lines, data, k, map);
        var o = new DelimitedOptions
        {
            Delimiter = d,
            HasHeader = header,
            FieldCount = k,
            UserColumn = Column(map[0])!,
            ItemColumn = Column(map[1])!,
            RatingColumn = Column(map[2]),
            TimestampColumn = Column(map[3]),
        };
        return new(DatasetLayout.Csv, $"{where}, {(header ? $"header on line {s.Lines[0].Line}" : "no header")}: {how}", o);

        string? Column(int j) => j < 0 ? null : header ? rows[0][j] : j.ToString(CultureInfo.InvariantCulture);
    }

    // A header is a first line that names the user and item columns, or that --columns names; a first
    // line with text where every other sampled line has a number, and no such names, is an error.
    private static bool HasHeader(Sample s, List<string[]> rows, ColumnMap? columns)
    {
        var first = rows[0];
        int line = s.Lines[0].Line;
        var names = columns?.ByRole.Where(c => c is not null && !ColumnMap.IsIndex(c, out _)).ToList() ?? [];
        if (names.Count > 0)
        {
            var missing = names.FirstOrDefault(n => !first.Contains(n));
            if (missing is not null)
                throw new DataFormatException(s.Path, line, $"--columns names column '{missing}', but the first line is not a header with that name (fields: {string.Join(", ", first)}).");
            return true;
        }
        var roles = first.Select(RoleOf).ToList();
        if (roles.Contains(0) && roles.Contains(1)) return true;
        int text = rows.Count < 2 ? -1
            : Enumerable.Range(0, first.Length).FirstOrDefault(j => !LineSource.IsNumber(first[j]) && rows.Skip(1).All(r => LineSource.IsNumber(r[j])), -1);
        if (text < 0) return false;
        if (columns is not null) return true;
        throw new DataFormatException(s.Path, line, $"this looks like a header (field {text + 1} is '{Clip(first[text])}' where the other {rows.Count - 1:N0} sampled lines have numbers) " +
            $"but it names no {(roles.Contains(0) ? "item" : "user")} column (known names: {KnownNamesText}); pass --columns user=NAME,item=NAME.");
    }

    private static int Resolve(Sample s, string[] first, int k, string column)
    {
        if (!ColumnMap.IsIndex(column, out int j)) return Array.IndexOf(first, column);
        if (j >= k) throw new DataFormatException(s.Path, 0, $"--columns names field {j} (0-based), but the lines have {k} fields.");
        return j;
    }

    // Without a header: user and item first, then a rating and/or a time told apart by their values.
    private static string Positional(Sample s, IReadOnlyList<(int Line, string Text)> lines, List<string[]> data, int k, int[] map)
    {
        (map[0], map[1], map[2], map[3]) = (0, 1, -1, -1);
        if (k > 4)
            throw new DataFormatException(s.Path, 0, $"{k} fields per line and no header naming them: pass --columns user=I,item=J[,rating=K][,time=L] (0-based fields) or add a header.");
        var why = new List<string>();
        for (int j = 2; j < k; j++)
        {
            var (role, range) = Classify(s, lines, data, j);
            if (role < 0 || map[role] >= 0)
                throw new DataFormatException(s.Path, 0, $"no header, and field {j + 1} ({range}) is neither clearly a rating (numbers within ±{RatingBound}) " +
                    $"nor a time (whole numbers from {TimeFloor:N0}){(role >= 0 ? $" distinct from field {map[role] + 1}" : "")}; pass --columns user=0,item=1,... (0-based fields) or add a header.");
            map[role] = j;
            why.Add($"field {j + 1} {range}: {RoleNames[role]}");
        }
        var order = Enumerable.Range(0, k).Select(j => RoleNames[Array.IndexOf(map, j)]);
        return string.Join(" ", order) + (why.Count > 0 ? $" ({string.Join("; ", why)})" : "");
    }

    private static (int Role, string Range) Classify(Sample s, IReadOnlyList<(int Line, string Text)> lines, List<string[]> data, int j)
    {
        int bad = data.FindIndex(r => !LineSource.IsNumber(r[j]));
        if (bad >= 0)
        {
            bool othersNumeric = data.Any(r => LineSource.IsNumber(r[j]));
            throw new DataFormatException(s.Path, lines[bad].Line, $"field {j + 1} is '{Clip(data[bad][j])}'" +
                (othersNumeric ? " where other sampled lines have numbers (a rating or a time)." : "; without a header, fields after user and item must be a rating or a time: pass --columns or add a header."));
        }
        var v = data.Select(r => double.Parse(r[j], NumberStyles.Float, CultureInfo.InvariantCulture)).ToList();
        double min = v.Min(), max = v.Max();
        bool whole = v.All(x => x == Math.Floor(x));
        string Text(double x) => x.ToString("#,0.##", CultureInfo.InvariantCulture);
        string range = min == max ? $"always {Text(min)}" : $"{(whole ? "whole numbers" : "numbers")} {Text(min)}–{Text(max)}";
        int role = whole && min >= TimeFloor ? 3 : min >= -RatingBound && max <= RatingBound ? 2 : -1;
        return (role, range);
    }

    private static int RoleOf(string name)
    {
        var n = name.Trim().ToLowerInvariant();
        int colon = n.IndexOf(':');
        if (colon > 0) n = n[..colon];
        n = n.Replace("_", "").Replace("-", "").Replace(" ", "").Replace(".", "");
        return Array.FindIndex(KnownNames, names => names.Contains(n));
    }

    private static bool IsAtomicHeader(string line)
    {
        var f = line.Split('\t');
        return f.All(x => x.Split(':') is [{ Length: > 0 }, "token" or "float" or "token_seq" or "float_seq"])
            && f.Any(x => x.StartsWith("user_id:", StringComparison.Ordinal)) && f.Any(x => x.StartsWith("item_id:", StringComparison.Ordinal));
    }

    private static string Separated(string d) => d switch
    {
        " " => "space-separated",
        "\t" => "tab-separated",
        "," => "comma-separated",
        ";" => "semicolon-separated",
        _ => $"'{d}'-separated",
    };

    private static string Clip(string text) => text.Length <= 40 ? text : text[..40] + "…";

    /// <summary>The first non-blank lines of a file.</summary>
    private sealed class Sample
    {
        private Sample(string path, List<(int Line, string Text)> lines, bool complete) => (Path, Lines, All) =
            (path, lines, complete ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"all {lines.Count:N0} line{(lines.Count == 1 ? "" : "s")}")
                : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"all {lines.Count:N0} sampled lines"));

        public string Path { get; }

        public List<(int Line, string Text)> Lines { get; }

        /// <summary>"all 1,000 sampled lines", or "all 12 lines" when the sample is the whole file.</summary>
        public string All { get; }

        public static Sample Read(string path)
        {
            var lines = LineSource.Read(path).Take(SampleLines + 1).ToList();
            if (lines.Count == 0) throw new DataFormatException(path, 0, "the file has no data (it is empty or blank).");
            bool complete = lines.Count <= SampleLines;
            if (!complete) lines.RemoveAt(lines.Count - 1);
            return new Sample(path, lines, complete);
        }

        /// <summary>The field count when <paramref name="d"/> splits every line into the same number (≥ 2) of fields.</summary>
        public int? Consistent(string d)
        {
            int k = DelimitedReader.Split(Lines[0].Text, d).Length;
            return k >= 2 && Lines.All(l => DelimitedReader.Split(l.Text, d).Length == k) ? k : null;
        }

        /// <summary>
        /// The error for the first line whose field count differs from the most common one (≥ 2), when
        /// that count holds on more than half the lines, or always when <paramref name="strict"/>.
        /// </summary>
        public DataFormatException? Dominant(string d, bool strict, string hint = "")
        {
            var counts = Lines.Select(l => DelimitedReader.Split(l.Text, d).Length).ToList();
            var top = counts.GroupBy(c => c).OrderByDescending(g => g.Count()).ThenByDescending(g => g.Key).First();
            if (!strict && (top.Key < 2 || top.Count() * 2 <= counts.Count)) return null;
            int at = counts.FindIndex(c => c != top.Key);
            if (at < 0) return new DataFormatException(Path, Lines[0].Line, $"every line has {top.Key} field(s) separated by {DelimitedReader.NameOf(d)}; expected at least 2.");
            string fields = $"{counts[at]} field{(counts[at] == 1 ? "" : "s")} separated by {DelimitedReader.NameOf(d)}";
            if (top.Count() * 2 <= counts.Count)
            {
                // No count holds on most lines: compare with the first line instead.
                at = counts.FindIndex(c => c != counts[0]);
                return new DataFormatException(Path, Lines[at].Line, $"{counts[at]} field{(counts[at] == 1 ? "" : "s")} separated by {DelimitedReader.NameOf(d)} " +
                    $"where line {Lines[0].Line} has {counts[0]}, and no field count holds on most of the {counts.Count:N0} sampled lines: '{Clip(Lines[at].Text)}'{hint}.");
            }
            return new DataFormatException(Path, Lines[at].Line, $"{fields} where {top.Count():N0} of the {counts.Count:N0} sampled lines have {top.Key}: '{Clip(Lines[at].Text)}'{hint}.");
        }
    }
}
