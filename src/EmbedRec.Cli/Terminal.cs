using System.CommandLine;
using System.Runtime.InteropServices;
using Spectre.Console;

[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("EmbedRec.Cli.Tests")]

namespace EmbedRec.Cli;

/// <summary>Output helpers: rich tables and progress in a terminal, plain aligned text when redirected.</summary>
internal static class Terminal
{
    public static bool Rich => !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;

    /// <summary>The exit code of an internal error: BSD sysexits' EX_SOFTWARE.</summary>
    public const int InternalErrorExit = 70;

    /// <summary>The exit code of a command stopped by Ctrl-C or SIGTERM (128 + SIGINT).</summary>
    public const int InterruptedExit = 130;

    /// <summary>
    /// Runs a command body, turning failures the user can cause (bad input, files, the network, changed data)
    /// into one "error:" line and exit code 1. Anything else is a bug and propagates to <see cref="Invoke"/>.
    /// </summary>
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (IsUserError(e))
        {
            Console.Error.WriteLine($"error: {OneLine(e)}");
            return 1;
        }
    }

    /// <summary>
    /// Parses and runs the command line: a parse error is one "error:" line (exit 1); an exception that escapes a
    /// command's <see cref="Guard"/> is an internal error, one line (exit <see cref="InternalErrorExit"/>) with
    /// its trace only under <paramref name="verbose"/>.
    /// </summary>
    public static int Invoke(RootCommand root, Option<bool> verbose, string[] args)
    {
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            var names = new List<string>();
            for (var c = parse.CommandResult; c is not null; c = c.Parent as System.CommandLine.Parsing.CommandResult) names.Insert(0, c.Parent is null ? "embedrec" : c.Command.Name);
            Console.Error.WriteLine($"error: {string.Join("; ", parse.Errors.Select(x => x.Message.TrimEnd('.')))} (see '{string.Join(' ', names)} --help').");
            return 1;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"internal error (a bug in EmbedRec): {e.GetType().Name}: {OneLine(e)}; " +
                (parse.GetValue(verbose) ? "its trace follows" : "run with --verbose for the trace"));
            if (parse.GetValue(verbose)) Console.Error.WriteLine(e);
            return InternalErrorExit;
        }
    }

    /// <summary>
    /// Whether <paramref name="e"/> is a failure the user can cause or fix: input that is malformed or out of
    /// range, files that are missing, locked, corrupt or changed, the network. A null argument or a broken
    /// invariant deeper in is not (<see cref="ArgumentNullException"/>, <see cref="NullReferenceException"/>,
    /// <see cref="IndexOutOfRangeException"/>, ...).
    /// </summary>
    public static bool IsUserError(Exception e) =>
        e is not ArgumentNullException and (IOException or InvalidDataException or FormatException or KeyNotFoundException or ArgumentException
            or InvalidOperationException or UnauthorizedAccessException or HttpRequestException or TimeoutException or Data.DataFormatException
            or System.Text.Json.JsonException or Training.TrainingDivergedException or NotSupportedException)
        && e is not ObjectDisposedException;

    /// <summary>The message on one line, without .NET's "(Parameter 'x')" and "Actual value was" additions.</summary>
    public static string OneLine(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        string m = e.Message.Split('\n')[0].TrimEnd();
        if (e is ArgumentException { ParamName: { } p } && m.EndsWith($" (Parameter '{p}')", StringComparison.Ordinal))
            m = m[..^$" (Parameter '{p}')".Length];
        return m;
    }

    /// <summary>
    /// A cancellation token cancelled by Ctrl-C (SIGINT) or SIGTERM while this object lives: the process is not
    /// killed, so the command can remove what it had half written and exit with <see cref="InterruptedExit"/>.
    /// </summary>
    public sealed class Interrupt : IDisposable
    {
        private readonly CancellationTokenSource _cts = new();
        private readonly PosixSignalRegistration? _term;

        /// <summary>Starts listening for Ctrl-C and SIGTERM.</summary>
        public Interrupt()
        {
            Console.CancelKeyPress += OnCancelKey;
            if (!OperatingSystem.IsWindows()) _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        }

        /// <summary>Cancelled on Ctrl-C or SIGTERM.</summary>
        public CancellationToken Token => _cts.Token;

        /// <summary>Whether a signal arrived.</summary>
        public bool Requested => _cts.IsCancellationRequested;

        private void OnCancelKey(object? sender, ConsoleCancelEventArgs e)
        {
            e.Cancel = true;
            _cts.Cancel();
        }

        private void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            _cts.Cancel();
        }

        /// <summary>Stops listening.</summary>
        public void Dispose()
        {
            Console.CancelKeyPress -= OnCancelKey;
            _term?.Dispose();
            _cts.Dispose();
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
