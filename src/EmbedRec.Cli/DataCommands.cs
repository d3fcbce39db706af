using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EmbedRec.Data;
using EmbedRec.Data.Readers;
using EmbedRec.Data.Registry;
using Spectre.Console;

namespace EmbedRec.Cli;

/// <summary><c>embedrec data list|stats|prepare|fetch</c>.</summary>
internal static class DataCommands
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var data = new Command("data", "Datasets: list, statistics, prepared splits, downloads.");
        data.Subcommands.Add(List());
        data.Subcommands.Add(Stats());
        data.Subcommands.Add(Prepare());
        data.Subcommands.Add(Fetch());
        return data;
    }

    private static Command List()
    {
        var cmd = new Command("list", "List the datasets EmbedRec knows and whether each is present under the data root (EMBEDREC_DATA).");
        cmd.SetAction(_ => Terminal.Guard(() =>
        {
            var reg = DatasetRegistry.Default();
            Terminal.Table($"Datasets under {reg.Root}", ["name", "present", "protocol", "description"],
                reg.Entries.Select(e => (IReadOnlyList<string>)[e.Name, Present(reg, e) ? "yes" : "no", $"{(e.Filters == "" ? "" : e.Filters + "; ")}{e.Split}", e.Description]));
            return 0;
        }));
        return cmd;
    }

    private static bool Present(DatasetRegistry reg, DatasetEntry e)
    {
        var folder = reg.FolderOf(e);
        return e.Layouts.Any(o => o.Layout == DatasetLayout.MovieLens
            ? File.Exists(Path.Combine(folder, "u.data")) || File.Exists(Path.Combine(folder, "ratings.dat"))
            : o.Files.All(f => File.Exists(Path.Combine(folder, f))));
    }

    private static Command Stats()
    {
        var target = new Argument<string>("dataset") { Description = "A registered name (see 'data list') or a path to a file or folder." };
        var format = new Option<string?>("--format") { Description = $"Input format for a path: {DatasetLoader.FormatNames}." };
        var columns = ColumnsOption();
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var cmd = new Command("stats", "Users, items, interactions, density and sequence-length quantiles of a dataset, and the layout read.") { target, format, columns, json };
        cmd.SetAction(p => Terminal.Guard(() =>
        {
            var ds = DatasetRegistry.Default().Load(p.GetValue(target)!, p.GetValue(format), Columns(p.GetValue(columns)));
            var s = DatasetStats.Compute(ds.Log);
            var parts = ds.Predefined is { } sp ? new Dictionary<string, int> { ["train"] = sp.Train.Count, ["valid"] = sp.Valid.Count, ["test"] = sp.Test.Count } : null;
            if (p.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    dataset = ds.Name,
                    layout = ds.Layout.ToString(),
                    layout_reason = ds.Reason,
                    users = s.Users,
                    items = s.Items,
                    interactions = s.Interactions,
                    density = s.Density,
                    mean_length = s.MeanLength,
                    length_quantiles = s.LengthQuantiles,
                    ratings = s.HasRatings,
                    timestamps = s.HasTimestamps,
                    categories = s.Categories,
                    split = parts,
                }, new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            var rows = new List<IReadOnlyList<string>>
            {
                new[] { "layout", ds.Reason },
                new[] { "users", s.Users.ToString("N0", Inv) },
                new[] { "items", s.Items.ToString("N0", Inv) },
                new[] { "interactions", s.Interactions.ToString("N0", Inv) },
                new[] { "density", s.Density.ToString("0.######", Inv) },
                new[] { "per user (mean)", s.MeanLength.ToString("0.##", Inv) },
                new[] { "per user (min/p25/median/p75/p90/max)", string.Join(" / ", s.LengthQuantiles.Values) },
                new[] { "ratings / timestamps / categories", $"{(s.HasRatings ? "yes" : "no")} / {(s.HasTimestamps ? "yes" : "no")} / {(s.Categories is { } c ? c.ToString(Inv) : "none")}" },
            };
            if (parts is not null) rows.Add(new[] { "predefined split (train/valid/test)", $"{parts["train"]:N0} / {parts["valid"]:N0} / {parts["test"]:N0}" });
            Terminal.Table($"{ds.Name} ({ds.Layout})", ["statistic", "value"], rows);
            return 0;
        }));
        return cmd;
    }

    private static Option<string?> ColumnsOption() => new("--columns")
    {
        Description = $"Columns of a delimited file: header names or 0-based fields, e.g. 'user=user_id,item=item_id,time=ts' (keys: {ColumnMap.Keys}).",
    };

    private static ColumnMap? Columns(string? text) => text is null ? null : ColumnMap.Parse(text);

    private static Command Prepare()
    {
        var target = new Argument<string>("dataset") { Description = "A registered name or a path." };
        var format = new Option<string?>("--format") { Description = $"Input format for a path: {DatasetLoader.FormatNames}." };
        var columns = ColumnsOption();
        var filter = new Option<string?>("--filter") { Description = "Filters, e.g. 'rating>=4;dedup;kcore=5' (default: the dataset's protocol)." };
        var split = new Option<string?>("--split") { Description = "Split: loo, temporal[=0.7,0.1], random[=0.2,0.1][;seed=N], global[=0.2,0.1], leporid, predefined (default: the dataset's protocol)." };
        var output = new Option<string>("--out") { Description = "Folder to write the prepared split to.", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace a split prepared before (only if the folder holds nothing EmbedRec did not write)." };
        var cmd = new Command("prepare", "Filter and split a dataset and write it where training can load it (atomic TSV + id lists + split.json).") { target, format, columns, filter, split, output, force };
        cmd.SetAction(p => Terminal.Guard(() =>
        {
            var reg = DatasetRegistry.Default();
            string name = p.GetValue(target)!;
            var result = DatasetSplits.Resolve(reg, name, p.GetValue(format), Columns(p.GetValue(columns)), p.GetValue(filter), p.GetValue(split));
            var outDir = p.GetValue(output)!;
            if (p.GetValue(force)) OwnedDirectory.ThrowIfNotReplaceable(outDir, DirectoryKind.Split);
            PreparedSplit.Write(outDir, result, name, p.GetValue(force));
            Console.WriteLine($"{result.Report}");
            Console.WriteLine($"wrote {outDir}: {result.UserCount:N0} users, {result.ItemCount:N0} items; train {result.Train.Count:N0}, valid {result.Valid.Count:N0}, test {result.Test.Count:N0}");
            return 0;
        }));
        return cmd;
    }

    private static Command Fetch()
    {
        var target = new Argument<string>("dataset") { Description = "A registered name (see 'data list')." };
        var unverified = new Option<bool>("--allow-unverified") { Description = "Download sources that have no published checksum (their SHA-256 is printed)." };
        var cmd = new Command("fetch", "Download a dataset from its publisher into the data root, verifying checksums.") { target, unverified };
        cmd.SetAction(p => Terminal.Guard(() =>
        {
            var reg = DatasetRegistry.Default();
            var entry = reg.Get(p.GetValue(target)!);
            // The fetcher's connect and idle timeouts bound every wait; a total timeout would cut off a slow but live download.
            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            var fetcher = new DatasetFetcher(http);
            using var interrupt = new Terminal.Interrupt();
            IReadOnlyList<string> placed;
            try
            {
                if (Terminal.Rich)
                {
                    placed = AnsiConsole.Progress().AutoClear(false).Start(ctx =>
                    {
                        var tasks = new Dictionary<string, ProgressTask>();
                        var progress = new Progress<FetchProgress>(f =>
                        {
                            if (!tasks.TryGetValue(f.File, out var t)) tasks[f.File] = t = ctx.AddTask(Markup.Escape(f.File), maxValue: f.Total ?? 1);
                            if (f.Total is { } total) t.MaxValue = total;
                            t.Value = f.Bytes;
                        });
                        return fetcher.FetchAsync(reg, entry, p.GetValue(unverified), progress, interrupt.Token).GetAwaiter().GetResult();
                    });
                }
                else
                {
                    foreach (var src in entry.Sources) Console.WriteLine($"{src.FileName}: from {src.Url}");
                    var progress = new SyncProgress<FetchProgress>(f => Console.WriteLine($"{f.File}: {f.Bytes:N0}{(f.Total is { } t ? $" of {t:N0}" : "")} bytes"));
                    placed = fetcher.FetchAsync(reg, entry, p.GetValue(unverified), progress, interrupt.Token).GetAwaiter().GetResult();
                }
            }
            catch (OperationCanceledException) when (interrupt.Requested)
            {
                Console.Error.WriteLine($"error: interrupted; the partial download was removed and nothing was saved in '{reg.FolderOf(entry)}'.");
                return Terminal.InterruptedExit;
            }
            foreach (var (url, sha) in fetcher.ComputedSha256) Console.WriteLine($"unverified {url}: sha256 {sha}");
            foreach (var f in placed) Console.WriteLine($"saved {f}");
            return 0;
        }));
        return cmd;
    }
}
