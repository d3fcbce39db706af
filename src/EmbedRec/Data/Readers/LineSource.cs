using System.Text;

namespace EmbedRec.Data.Readers;

/// <summary>Enumerates the non-blank lines of a text file with their 1-based line numbers.</summary>
internal static class LineSource
{
    public static IEnumerable<(int Line, string Text)> Read(string path, Encoding? encoding = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Data file '{path}' does not exist.", path);
        int n = 0;
        using var reader = new StreamReader(path, encoding ?? Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            n++;
            if (line.Length > 0 && line[^1] == '\r') line = line[..^1];
            if (string.IsNullOrWhiteSpace(line)) continue;
            yield return (n, line);
        }
    }

    public static float ParseFloat(string path, int line, string text, string what)
    {
        if (float.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out float v) && float.IsFinite(v)) return v;
        throw new DataFormatException(path, line, $"{what} '{text}' is not a number.");
    }

    public static long ParseLong(string path, int line, string text, string what)
    {
        if (long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long v)) return v;
        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double d) && double.IsFinite(d)) return (long)d;
        throw new DataFormatException(path, line, $"{what} '{text}' is not a number.");
    }

    public static int ParseInt(string path, int line, string text, string what)
    {
        if (int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int v)) return v;
        throw new DataFormatException(path, line, $"{what} '{text}' is not an integer.");
    }

    public static readonly char[] Whitespace = [' ', '\t'];
}
