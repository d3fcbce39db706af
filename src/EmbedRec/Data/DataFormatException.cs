namespace EmbedRec.Data;

/// <summary>Malformed input data; the message names the file and line.</summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="file"/> at <paramref name="line"/> (1-based; 0 = whole file).</summary>
    public DataFormatException(string file, int line, string message)
        : base(line > 0 ? $"{file}:{line}: {message}" : $"{file}: {message}")
    {
        File = file;
        Line = line;
    }

    /// <summary>The file at fault.</summary>
    public string File { get; }

    /// <summary>The 1-based line at fault, or 0.</summary>
    public int Line { get; }
}
