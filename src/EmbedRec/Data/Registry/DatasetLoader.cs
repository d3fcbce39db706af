using EmbedRec.Data.Readers;
using EmbedRec.Data.Splits;

namespace EmbedRec.Data.Registry;

/// <summary>A dataset as read: the whole log, and the shipped split when the layout has one.</summary>
/// <param name="Name">Name or path.</param>
/// <param name="Log">All interactions (for a shipped split, train ∪ validation ∪ test).</param>
/// <param name="Predefined">The shipped split, or null.</param>
/// <param name="Layout">The layout that was read.</param>
public sealed record LoadedDataset(string Name, InteractionLog Log, DataSplit? Predefined, DatasetLayout Layout)
{
    /// <summary>How the layout was chosen and what it reads, e.g. the <see cref="DetectedLayout.Reason"/> of a detected file.</summary>
    public string Reason { get; init; } = "";
}

/// <summary>Reads datasets by layout, and detects the layout of a path (<see cref="LayoutDetector"/>).</summary>
public static class DatasetLoader
{
    /// <summary>
    /// Reads <paramref name="files"/> (full paths) with <paramref name="layout"/>. For
    /// <see cref="DatasetLayout.Csv"/> the separator, header and columns are detected, or taken from
    /// <paramref name="columns"/>; other layouts do not take <paramref name="columns"/>.
    /// </summary>
    public static LoadedDataset Load(string name, DatasetLayout layout, IReadOnlyList<string> files, ColumnMap? columns = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0) throw new ArgumentException("No files to read.", nameof(files));
        if (layout == DatasetLayout.Csv) return Read(name, LayoutDetector.DetectDelimited(files[0], columns), files[0]);
        RejectColumns(name, layout, columns);
        var ds = layout switch
        {
            DatasetLayout.MovieLens => Whole(name, layout, MovieLensReader.ReadFolder(files[0])),
            DatasetLayout.Pairs => Whole(name, layout, PairsReader.Read(files[0]).Build(files[0])),
            DatasetLayout.UserLines => Whole(name, layout, UserLinesReader.Read(files[0]).Build(files[0])),
            DatasetLayout.CountFirst => Whole(name, layout, UserLinesReader.CountFirst(files[0]).Build(files[0])),
            DatasetLayout.Atomic => Whole(name, layout, AtomicReader.Read(files[0]).Build(files[0])),
            DatasetLayout.SplitUserLines or DatasetLayout.SplitCsv => WithSplit(name, layout,
                PredefinedSplit.Read(files[0], files[1], layout == DatasetLayout.SplitCsv ? PredefinedFormat.Csv : PredefinedFormat.UserLines)),
            DatasetLayout.Prepared => WithSplit(name, layout, PreparedSplit.Read(files[0])),
            _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, "Unknown layout."),
        };
        return ds with { Reason = $"{Describe(layout)} ({string.Join(", ", files.Select(Path.GetFileName))})" };
    }

    /// <summary>Reads one file as <paramref name="detected"/> says.</summary>
    public static LoadedDataset Read(string name, DetectedLayout detected, string file)
    {
        ArgumentNullException.ThrowIfNull(detected);
        var ds = detected.Layout == DatasetLayout.Csv
            ? Whole(name, detected.Layout, DelimitedReader.Read(file, detected.Delimited).Build(file))
            : Load(name, detected.Layout, [file]);
        return ds with { Reason = detected.Reason };
    }

    /// <summary>What a layout reads, in words.</summary>
    public static string Describe(DatasetLayout layout) => layout switch
    {
        DatasetLayout.MovieLens => "MovieLens folder: u.data (tab-separated user item rating time) or ratings.dat (user::item::rating::time), genres when present",
        DatasetLayout.Pairs => "user item per line, file order is the time order",
        DatasetLayout.UserLines => "user item item ... per line (one user per line)",
        DatasetLayout.CountFirst => "n item ... item per line (CiteULike), user = line number",
        DatasetLayout.Csv => "delimited columns",
        DatasetLayout.Atomic => "RecBole atomic file with a typed header",
        DatasetLayout.SplitUserLines => "LightGCN train/test split, user item item ... per line",
        DatasetLayout.SplitCsv => "DirectSpec train/test split, comma-separated with header user,item",
        DatasetLayout.Prepared => "prepared split (split.json, atomic train/valid/test)",
        _ => layout.ToString(),
    };

    private static void RejectColumns(string name, DatasetLayout layout, ColumnMap? columns)
    {
        if (columns is not null)
            throw new ArgumentException($"--columns applies to one delimited file (format csv or tsv); '{name}' is read as {layout}: {Describe(layout)}.");
    }

    private static LoadedDataset Whole(string name, DatasetLayout layout, InteractionLog log)
    {
        if (log.Count == 0) throw new DataFormatException(log.Source ?? name, 0, "no interactions were read.");
        return new LoadedDataset(name, log, null, layout);
    }

    private static LoadedDataset WithSplit(string name, DatasetLayout layout, DataSplit split)
    {
        var all = Concat(split.Train, split.Valid, split.Test);
        return new LoadedDataset(name, all, split, layout);
    }

    private static InteractionLog Concat(params InteractionLog[] logs)
    {
        var first = logs[0];
        return new InteractionLog(first.Users, first.Items, logs.SelectMany(l => l.User).ToArray(), logs.SelectMany(l => l.Item).ToArray(),
            logs.All(l => l.Rating is not null) ? logs.SelectMany(l => l.Rating!).ToArray() : null,
            logs.All(l => l.Timestamp is not null) ? logs.SelectMany(l => l.Timestamp!).ToArray() : null,
            first.Categories, first.Source);
    }

    /// <summary>Format names accepted by <see cref="ParseFormat"/>.</summary>
    public const string FormatNames = "movielens, pairs, user-lines, count-first, csv, tsv, atomic, lightgcn, directspec, prepared";

    /// <summary>Parses a <c>--format</c> value.</summary>
    public static DatasetLayout ParseFormat(string format) => format.ToLowerInvariant() switch
    {
        "movielens" => DatasetLayout.MovieLens,
        "pairs" => DatasetLayout.Pairs,
        "user-lines" => DatasetLayout.UserLines,
        "count-first" or "citeulike" => DatasetLayout.CountFirst,
        "csv" or "tsv" => DatasetLayout.Csv,
        "atomic" or "recbole" => DatasetLayout.Atomic,
        "lightgcn" => DatasetLayout.SplitUserLines,
        "directspec" => DatasetLayout.SplitCsv,
        "prepared" => DatasetLayout.Prepared,
        _ => throw new FormatException($"Unknown format '{format}'. Formats: {FormatNames}."),
    };

    /// <summary>
    /// Reads a file or folder, with <paramref name="format"/> or by detection: a folder with u.data or
    /// ratings.dat is MovieLens, with split.json a prepared split, with train.txt/test.txt LightGCN,
    /// with train.csv/test.csv DirectSpec; a file's layout is detected from its first lines by
    /// <see cref="LayoutDetector.Detect"/>, which throws when unsure rather than guess.
    /// <paramref name="columns"/> maps the columns of a delimited file.
    /// </summary>
    public static LoadedDataset LoadPath(string path, string? format = null, ColumnMap? columns = null)
    {
        bool dir = Directory.Exists(path);
        if (!dir && !File.Exists(path)) throw new FileNotFoundException($"'{path}' is neither a known dataset name nor an existing file or folder.", path);
        string P(string f) => Path.Combine(path, f);
        if (format is not null)
        {
            var layout = ParseFormat(format);
            if (layout == DatasetLayout.Csv && !dir)
            {
                var detected = LayoutDetector.DetectDelimited(path, columns, format.Equals("tsv", StringComparison.OrdinalIgnoreCase) ? "\t" : null);
                return Read(path, detected with { Reason = $"--format {format}: {detected.Reason}" }, path);
            }
            var files = layout switch
            {
                DatasetLayout.SplitUserLines when dir => new[] { P("train.txt"), P("test.txt") },
                DatasetLayout.SplitCsv when dir => new[] { P("train.csv"), P("test.csv") },
                _ => new[] { path },
            };
            var ds = Load(path, layout, files, columns);
            return ds with { Reason = $"--format {format}: {ds.Reason}" };
        }
        if (dir)
        {
            RejectColumns(path, DatasetLayout.Prepared, columns);
            LoadedDataset Found(string what, DatasetLayout layout, params string[] files)
            {
                var ds = Load(path, layout, files);
                return ds with { Reason = $"folder with {what}: {ds.Reason}" };
            }
            if (File.Exists(P("u.data")) || File.Exists(P("ratings.dat"))) return Found(File.Exists(P("u.data")) ? "u.data" : "ratings.dat", DatasetLayout.MovieLens, path);
            if (File.Exists(P("split.json"))) return Found("split.json", DatasetLayout.Prepared, path);
            if (File.Exists(P("train.txt")) && File.Exists(P("test.txt"))) return Found("train.txt and test.txt", DatasetLayout.SplitUserLines, P("train.txt"), P("test.txt"));
            if (File.Exists(P("train.csv")) && File.Exists(P("test.csv"))) return Found("train.csv and test.csv", DatasetLayout.SplitCsv, P("train.csv"), P("test.csv"));
            throw new FileNotFoundException($"Cannot tell the layout of folder '{path}'; pass --format ({FormatNames}).");
        }
        return Read(path, LayoutDetector.Detect(path, columns), path);
    }
}
