namespace EmbedRec.Data.Readers;

/// <summary>
/// One user per line. Default: <c>user item item ...</c> (LightGCN's and ICLRec's format; items in
/// chronological order when the source kept it). CiteULike variant (<see cref="CountFirst"/>):
/// <c>n item1 ... itemn</c> where n counts the items and the user id is the 0-based line number.
/// </summary>
public static class UserLinesReader
{
    /// <summary>Reads <c>user item item ...</c> lines. A user with no items contributes nothing.</summary>
    public static LogBuilder Read(string path, LogBuilder? into = null)
    {
        var b = into ?? new LogBuilder();
        foreach (var (line, text) in LineSource.Read(path))
        {
            var f = text.Split(LineSource.Whitespace, StringSplitOptions.RemoveEmptyEntries);
            for (int k = 1; k < f.Length; k++) b.Add(f[0], f[k]);
        }
        return b;
    }

    /// <summary>Reads the count-first variant; the leading count must match the items on the line.</summary>
    public static LogBuilder CountFirst(string path)
    {
        var b = new LogBuilder();
        foreach (var (lineNo, text) in LineSource.Read(path))
        {
            var f = text.Split(LineSource.Whitespace, StringSplitOptions.RemoveEmptyEntries);
            int n = LineSource.ParseInt(path, lineNo, f[0], "item count");
            if (n != f.Length - 1) throw new DataFormatException(path, lineNo, $"the line starts with count {n} but lists {f.Length - 1} items.");
            string user = (lineNo - 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            for (int k = 1; k < f.Length; k++) b.Add(user, f[k]);
        }
        return b;
    }
}
