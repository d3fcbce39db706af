using EmbedRec.Data.Readers;
using EmbedRec.Data.Splits;

namespace EmbedRec.Data.Registry;

/// <summary>A dataset as read: the whole log, and the shipped split when the layout has one.</summary>
/// <param name="Name">Name or path.</param>
/// <param name="Log">All interactions (for a shipped split, train ∪ validation ∪ test).</param>
/// <param name="Predefined">The shipped split, or null.</param>
/// <param name="Layout">The layout that was read.</param>
public sealed record LoadedDataset(string Name, InteractionLog Log, DataSplit? Predefined, DatasetLayout Layout);

/// <summary>Reads datasets by layout, and guesses the layout of a path.</summary>
public static class DatasetLoader
{
    /// <summary>Reads <paramref name="files"/> (full paths) with <paramref name="layout"/>.</summary>
    public static LoadedDataset Load(string name, DatasetLayout layout, IReadOnlyList<string> files)
    {
        switch (layout)
        {
            case DatasetLayout.MovieLens: return Whole(name, layout, MovieLensReader.ReadFolder(files[0]));
            case DatasetLayout.Pairs: return Whole(name, layout, PairsReader.Read(files[0]).Build(files[0]));
            case DatasetLayout.UserLines: return Whole(name, layout, UserLinesReader.Read(files[0]).Build(files[0]));
            case DatasetLayout.CountFirst: return Whole(name, layout, UserLinesReader.CountFirst(files[0]).Build(files[0]));
            case DatasetLayout.Csv:
                return Whole(name, layout, DelimitedReader.Read(files[0], new DelimitedOptions { Delimiter = files[0].EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) ? '\t' : ',' }).Build(files[0]));
            case DatasetLayout.Atomic: return Whole(name, layout, AtomicReader.Read(files[0]).Build(files[0]));
            case DatasetLayout.SplitUserLines:
            case DatasetLayout.SplitCsv:
                {
                    var split = PredefinedSplit.Read(files[0], files[1], layout == DatasetLayout.SplitCsv ? PredefinedFormat.Csv : PredefinedFormat.UserLines);
                    return WithSplit(name, layout, split);
                }
            case DatasetLayout.Prepared: return WithSplit(name, layout, PreparedSplit.Read(files[0]));
            default: throw new ArgumentOutOfRangeException(nameof(layout), layout, "Unknown layout.");
        }
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
    /// Reads a file or folder, with <paramref name="format"/> or a guess: a folder with u.data or
    /// ratings.dat is MovieLens, with split.json a prepared split, with train.txt/test.txt LightGCN,
    /// with train.csv/test.csv DirectSpec; a <c>.inter</c> file is atomic, <c>.csv</c>/<c>.tsv</c>
    /// delimited; other text files are pairs when the first line has two fields, else user lines.
    /// </summary>
    public static LoadedDataset LoadPath(string path, string? format = null)
    {
        bool dir = Directory.Exists(path);
        if (!dir && !File.Exists(path)) throw new FileNotFoundException($"'{path}' is neither a known dataset name nor an existing file or folder.", path);
        string P(string f) => Path.Combine(path, f);
        if (format is not null)
        {
            var layout = ParseFormat(format);
            var files = layout switch
            {
                DatasetLayout.SplitUserLines when dir => new[] { P("train.txt"), P("test.txt") },
                DatasetLayout.SplitCsv when dir => new[] { P("train.csv"), P("test.csv") },
                _ => new[] { path },
            };
            return Load(path, layout, files);
        }
        if (dir)
        {
            if (File.Exists(P("u.data")) || File.Exists(P("ratings.dat"))) return Load(path, DatasetLayout.MovieLens, [path]);
            if (File.Exists(P("split.json"))) return Load(path, DatasetLayout.Prepared, [path]);
            if (File.Exists(P("train.txt")) && File.Exists(P("test.txt"))) return Load(path, DatasetLayout.SplitUserLines, [P("train.txt"), P("test.txt")]);
            if (File.Exists(P("train.csv")) && File.Exists(P("test.csv"))) return Load(path, DatasetLayout.SplitCsv, [P("train.csv"), P("test.csv")]);
            throw new FileNotFoundException($"Cannot tell the layout of folder '{path}'; pass --format ({FormatNames}).");
        }
        var ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext == ".inter") return Load(path, DatasetLayout.Atomic, [path]);
        if (ext is ".csv" or ".tsv") return Load(path, DatasetLayout.Csv, [path]);
        var first = File.ReadLines(path).FirstOrDefault(l => !string.IsNullOrWhiteSpace(l)) ?? "";
        int fields = first.Split(LineSource.Whitespace, StringSplitOptions.RemoveEmptyEntries).Length;
        return Load(path, fields == 2 ? DatasetLayout.Pairs : DatasetLayout.UserLines, [path]);
    }
}
