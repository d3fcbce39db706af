using System.Text.Json;
using EmbedRec.Data.Splits;

namespace EmbedRec.Data;

/// <summary>
/// What a run was trained on, written to <c>data.json</c> in its directory when training starts (issue 15 §5):
/// the dataset as configured, its absolute location (a path resolved at train time; the folder of a
/// registered dataset), and SHA-256 fingerprints of the data as read, of the split and of the item categories.
/// Reopening the run (<c>Experiment.Open</c>) rebuilds them and refuses when any differs, so re-sorting or editing the
/// data file cannot silently change what <c>evaluate</c> and <c>recommend</c> score; the <c>bpr</c> initializer refuses a run of other data by it.
/// It lives in Data, below Training and the initializers, so that both can read it.
/// </summary>
/// <param name="Dataset">The <c>dataset</c> key as configured.</param>
/// <param name="Location">The absolute path read (null for the synthetic data).</param>
/// <param name="Data">Fingerprint of the interactions as read, before filters (null when the run was given only its split).</param>
/// <param name="Split">Fingerprint of the split the model was trained and evaluated on.</param>
/// <param name="Categories">Fingerprint of the split's item categories (null in a pin written before they were pinned: then not compared).</param>
public sealed record DataPin(string Dataset, string? Location, DataFingerprint? Data, SplitFingerprint Split, CategoriesFingerprint? Categories = null)
{
    /// <summary>The file name in a run directory.</summary>
    public const string FileName = "data.json";

    /// <summary>The format written to <c>data.json</c>.</summary>
    public const string Format = "embedrec-data/1";

    /// <summary>The pin of a split and, when known, the log it was made from.</summary>
    public static DataPin Of(string dataset, string? location, InteractionLog? log, DataSplit split)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(split);
        return new DataPin(dataset, location, log is null ? null : DataFingerprint.Of(log), SplitFingerprint.Of(split), CategoriesFingerprint.Of(split.Train.Categories));
    }

    /// <summary>
    /// What differs between this pin (recorded at train time) and <paramref name="now"/> (the data as it is
    /// now), one clause per difference; empty when the data, the split and the categories are the same (a data or
    /// categories fingerprint recorded on one side only is not compared). A different location alone is no difference (the same
    /// data under another data root, or a moved file); it is named when the data differs too.
    /// </summary>
    public IReadOnlyList<string> Differences(DataPin now)
    {
        ArgumentNullException.ThrowIfNull(now);
        var d = new List<string>();
        string source = Location == now.Location ? $"'{now.Location ?? now.Dataset}'" : $"'{now.Location ?? now.Dataset}' (trained on '{Location ?? Dataset}')";
        if (Data is not null && now.Data is not null && Data != now.Data)
            d.Add($"{source} as read {Changed(Data.Sha256, now.Data.Sha256, Data.Size, now.Data.Size)}");
        if (Split != now.Split)
            d.Add($"{(d.Count == 0 ? source + ": the split" : "its split")} {Changed(Split.Sha256, now.Split.Sha256, Split.Size, now.Split.Size)}");
        if (Categories is not null && now.Categories is not null && Categories != now.Categories)
            d.Add($"{(d.Count == 0 ? source + ": the item-category table" : "its item-category table")} {Changed(Categories.Sha256, now.Categories.Sha256, Categories.Size, now.Categories.Size)}");
        return d;
    }

    private static string Changed(string was, string now, string wasSize, string nowSize) => wasSize == nowSize
        ? $"has sha256 {now[..12]}, was {was[..12]} ({nowSize})"
        : $"is {nowSize} with sha256 {now[..12]}, was {wasSize} with sha256 {was[..12]}";

    /// <summary>Writes <c>data.json</c> into <paramref name="directory"/> (atomically).</summary>
    public void Write(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var json = new Dictionary<string, object?>
        {
            ["format"] = Format,
            ["dataset"] = Dataset,
            ["location"] = Location,
            ["data"] = Data is null ? null : new Dictionary<string, object> { ["rows"] = Data.Rows, ["users"] = Data.Users, ["items"] = Data.Items, ["sha256"] = Data.Sha256 },
            ["split"] = new Dictionary<string, object>
            {
                ["train"] = Split.Train, ["valid"] = Split.Valid, ["test"] = Split.Test, ["users"] = Split.Users, ["items"] = Split.Items, ["sha256"] = Split.Sha256,
            },
        };
        if (Categories is { } c)
            json["categories"] = new Dictionary<string, object> { ["categories"] = c.Categories, ["items"] = c.Items, ["assignments"] = c.Assignments, ["sha256"] = c.Sha256 };
        AtomicFile.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Reads <c>data.json</c> from <paramref name="directory"/>; null when the run has none (written before runs pinned their data).</summary>
    /// <exception cref="InvalidDataException">The file is not a data pin EmbedRec wrote; the message names the file and what is wrong.</exception>
    public static DataPin? Read(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var f) || f.ValueKind != JsonValueKind.String || f.GetString() != Format)
                throw new InvalidDataException($"{path}: not an EmbedRec data pin (expected \"format\": \"{Format}\").");
            var locationValue = Key(root, "", "location");
            string? location = locationValue.ValueKind == JsonValueKind.Null ? null : locationValue.GetString();
            var data = Key(root, "", "data");
            var split = Key(root, "", "split");
            CategoriesFingerprint? categories = root.TryGetProperty("categories", out var cat)
                ? new CategoriesFingerprint(Count(cat, "categories", "categories"), Count(cat, "categories", "items"), Count(cat, "categories", "assignments"),
                    Hex(Key(cat, "categories", "sha256")))
                : null;
            return new DataPin(Key(root, "", "dataset").GetString()!, location,
                data.ValueKind == JsonValueKind.Null ? null : new DataFingerprint(Count(data, "data", "rows"), Count(data, "data", "users"),
                    Count(data, "data", "items"), Hex(Key(data, "data", "sha256"))),
                new SplitFingerprint(Count(split, "split", "train"), Count(split, "split", "valid"), Count(split, "split", "test"),
                    Count(split, "split", "users"), Count(split, "split", "items"), Hex(Key(split, "split", "sha256"))), categories);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: {(e is JsonException j && j.LineNumber is { } line ? $"line {line + 1}: " : "")}" +
                $"not a valid data pin ({e.Message.Split('\n')[0].TrimEnd()}); the run's data cannot be checked. Restore the file or train again.", e);
        }
    }

    /// <summary>The member <paramref name="name"/> of the object <paramref name="parent"/> (its path in the file, "" for the root).</summary>
    private static JsonElement Key(JsonElement obj, string parent, string name)
    {
        string path = parent.Length == 0 ? name : $"{parent}.{name}";
        if (obj.ValueKind != JsonValueKind.Object) throw new FormatException($"'{parent}' is {obj.ValueKind.ToString().ToLowerInvariant()}, not an object");
        return obj.TryGetProperty(name, out var v) ? v : throw new FormatException($"'{path}' is missing");
    }

    /// <summary>A non-negative integer member.</summary>
    private static int Count(JsonElement obj, string parent, string name)
    {
        var v = Key(obj, parent, name);
        return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n) && n >= 0 ? n
            : throw new FormatException($"'{parent}.{name}' is {v.GetRawText()}, not a count");
    }

    private static string Hex(JsonElement e)
    {
        var s = e.GetString() ?? throw new FormatException("sha256 is null");
        return s.Length == 64 && s.All(char.IsAsciiHexDigitLower) ? s : throw new FormatException($"sha256 '{s}' is not 64 lowercase hex digits");
    }
}
