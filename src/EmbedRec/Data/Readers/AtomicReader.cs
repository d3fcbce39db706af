namespace EmbedRec.Data.Readers;

/// <summary>
/// RecBole atomic <c>.inter</c> files: tab-separated with a typed header such as
/// <c>user_id:token	item_id:token	rating:float	timestamp:float</c>. Columns other than
/// user_id, item_id, rating and timestamp are ignored.
/// </summary>
public static class AtomicReader
{
    /// <summary>Reads the file into a builder.</summary>
    public static LogBuilder Read(string path)
    {
        var b = new LogBuilder();
        int iu = -1, ii = -1, ir = -1, it = -1, width = 0;
        bool header = true;
        foreach (var (line, text) in LineSource.Read(path))
        {
            var f = text.Split('\t');
            if (header)
            {
                header = false;
                width = f.Length;
                for (int k = 0; k < f.Length; k++)
                {
                    var parts = f[k].Trim().Split(':');
                    if (parts.Length != 2)
                        throw new DataFormatException(path, line, $"header field '{f[k]}' is not 'name:type' (RecBole atomic format).");
                    switch (parts[0])
                    {
                        case "user_id": iu = k; break;
                        case "item_id": ii = k; break;
                        case "rating": ir = k; break;
                        case "timestamp": it = k; break;
                    }
                }
                if (iu < 0 || ii < 0) throw new DataFormatException(path, line, "the header needs user_id and item_id fields.");
                continue;
            }
            if (f.Length != width) throw new DataFormatException(path, line, $"expected {width} tab-separated fields, found {f.Length}.");
            b.Add(f[iu], f[ii],
                ir >= 0 ? LineSource.ParseFloat(path, line, f[ir], "rating") : null,
                it >= 0 ? LineSource.ParseLong(path, line, f[it], "timestamp") : null);
        }
        if (header) throw new DataFormatException(path, 0, "the file is empty (no header).");
        return b;
    }

    /// <summary>
    /// Writes <paramref name="log"/> (external ids) as an atomic file, through a temporary file
    /// renamed into place.
    /// </summary>
    public static void Write(string path, InteractionLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        AtomicFile.WriteAllLines(path, Lines(log));
    }

    private static IEnumerable<string> Lines(InteractionLog log)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        yield return "user_id:token\titem_id:token" + (log.Rating is null ? "" : "\trating:float") + (log.Timestamp is null ? "" : "\ttimestamp:float");
        for (int r = 0; r < log.Count; r++)
            yield return log.Users[log.User[r]] + "\t" + log.Items[log.Item[r]]
                + (log.Rating is null ? "" : "\t" + log.Rating[r].ToString("R", inv))
                + (log.Timestamp is null ? "" : "\t" + log.Timestamp[r].ToString(inv));
    }
}
