using Spectre.Console;

namespace EmbedRec.Cli;

/// <summary>Output helpers: rich tables and progress in a terminal, plain aligned text when redirected.</summary>
internal static class Terminal
{
    public static bool Rich => !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;

    /// <summary>Runs a command body, turning expected failures into one "error:" line and exit code 1.</summary>
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException or KeyNotFoundException or ArgumentException
            or InvalidOperationException or UnauthorizedAccessException or HttpRequestException or Data.DataFormatException
            or Training.TrainingDivergedException or NotSupportedException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    public static void Table(string title, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var list = rows.ToList();
        if (Rich)
        {
            var t = new Table { Title = new TableTitle(title) };
            foreach (var h in headers) t.AddColumn(new TableColumn(Markup.Escape(h)));
            foreach (var r in list) t.AddRow(r.Select(Markup.Escape).ToArray());
            AnsiConsole.Write(t);
            return;
        }
        Console.WriteLine(title);
        var widths = headers.Select((h, i) => Math.Max(h.Length, list.Count == 0 ? 0 : list.Max(r => r[i].Length))).ToArray();
        Console.WriteLine(string.Join("  ", headers.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        foreach (var r in list) Console.WriteLine(string.Join("  ", r.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
    }
}
