namespace EmbedRec.Data.Readers;

/// <summary>
/// One interaction per line, <c>user item</c> separated by spaces or tabs (SASRec's format). The file
/// order is the chronological order; extra fields are an error.
/// </summary>
public static class PairsReader
{
    /// <summary>Reads the file into a builder.</summary>
    public static LogBuilder Read(string path)
    {
        var b = new LogBuilder();
        foreach (var (line, text) in LineSource.Read(path))
        {
            var f = text.Split(LineSource.Whitespace, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length != 2) throw new DataFormatException(path, line, $"expected 'user item' (2 fields), found {f.Length}: '{text}'.");
            b.Add(f[0], f[1]);
        }
        return b;
    }
}
