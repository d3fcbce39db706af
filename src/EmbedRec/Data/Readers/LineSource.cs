using System.Buffers;
using System.Globalization;
using System.Text;

namespace EmbedRec.Data.Readers;

/// <summary>
/// Enumerates the non-blank lines of a text file with their 1-based line numbers. A line with a NUL
/// character or a byte sequence that is not valid UTF-8 is binary input and raises
/// <see cref="DataFormatException"/> naming the line.
/// </summary>
internal static class LineSource
{
    // Invalid UTF-8 decodes to U+FFFD (the default replacement fallback), so finding it on a line
    // locates the bad bytes by line, which a throwing decoder cannot (it decodes whole buffers ahead).
    private static readonly SearchValues<char> Binary = SearchValues.Create("\0\uFFFD");

    public static IEnumerable<(int Line, string Text)> Read(string path, Encoding? encoding = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Data file '{path}' does not exist.", path);
        int n = 0;
        using var reader = new StreamReader(path, encoding ?? Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            n++;
            int bad = line.AsSpan().IndexOfAny(Binary);
            if (bad >= 0)
                throw new DataFormatException(path, n, (line[bad] == '\0' ? "a NUL byte" : "bytes that are not valid UTF-8")
                    + $" at character {bad + 1}: this looks like a binary file, not text (text in another encoding must be converted to UTF-8 first).");
            if (line.Length > 0 && line[^1] == '\r') line = line[..^1];
            if (string.IsNullOrWhiteSpace(line)) continue;
            yield return (n, line);
        }
    }

    public static bool IsNumber(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v);

    public static float ParseFloat(string path, int line, string text, string what)
    {
        if (float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && float.IsFinite(v)) return v;
        throw new DataFormatException(path, line, $"{what} '{text}' is not a number.");
    }

    public static long ParseLong(string path, int line, string text, string what)
    {
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v)) return v;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d)) return (long)d;
        throw new DataFormatException(path, line, $"{what} '{text}' is not a number.");
    }

    public static int ParseInt(string path, int line, string text, string what)
    {
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)) return v;
        throw new DataFormatException(path, line, $"{what} '{text}' is not an integer.");
    }

    public static readonly char[] Whitespace = [' ', '\t'];
}
