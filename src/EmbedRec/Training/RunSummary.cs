using System.Text.Json;
using EmbedRec.Data;

namespace EmbedRec.Training;

/// <summary>
/// What a finished run's <c>metrics.json</c> says (written last by <see cref="RunDirectory.WriteResult"/>). Only
/// <c>model</c> and <c>test</c> are required; the other fields are null when the file does not have them.
/// </summary>
/// <param name="File">The metrics.json that was read (full path).</param>
/// <param name="Model">Model name.</param>
/// <param name="Test">Test metric means by key ("ndcg@10").</param>
/// <param name="Valid">Validation metric means of the kept parameters, or null.</param>
/// <param name="BestEpoch">Epoch whose parameters were kept, or null.</param>
/// <param name="EpochsTrained">Epochs trained, or null.</param>
/// <param name="StoppedEarly">Whether early stopping ended training, or null.</param>
/// <param name="TrainSeconds">Wall time of training, or null.</param>
/// <param name="ValidMetric">The metric early stopping watched, or null.</param>
/// <param name="TestUsers">Users in the test evaluation, or null.</param>
public sealed record RunSummary(string File, string Model, IReadOnlyDictionary<string, double> Test, IReadOnlyDictionary<string, double>? Valid,
    int? BestEpoch, int? EpochsTrained, bool? StoppedEarly, double? TrainSeconds, string? ValidMetric, int? TestUsers)
{
    /// <summary>The file a finished run writes last.</summary>
    public const string FileName = "metrics.json";

    /// <summary>The test mean of <paramref name="key"/>, e.g. "ndcg@10".</summary>
    /// <exception cref="KeyNotFoundException">The run has no such test metric; the message lists those it has.</exception>
    public double TestMetric(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Test.TryGetValue(key, out var v) ? v
            : throw new KeyNotFoundException($"{File}: no test metric '{key}'; it has {string.Join(", ", Test.Keys)}.");
    }

    /// <summary>Reads <c>metrics.json</c> of the run directory <paramref name="runDir"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">The directory has no metrics.json (the run did not finish).</exception>
    /// <exception cref="DataFormatException">The file is empty, truncated, not JSON, or a required key is missing or of the wrong type;
    /// the message names the file, the key and, where it can, the line.</exception>
    public static RunSummary Read(string runDir)
    {
        ArgumentNullException.ThrowIfNull(runDir);
        if (!Directory.Exists(runDir)) throw new DirectoryNotFoundException($"Run directory '{runDir}' does not exist.");
        var path = Path.GetFullPath(Path.Combine(runDir, FileName));
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"'{runDir}' has no {FileName}: the run did not finish.", path);
        var text = System.IO.File.ReadAllText(path);
        if (string.IsNullOrWhiteSpace(text)) throw new DataFormatException(path, 0, "the file is empty.");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            int line = (int)(e.LineNumber ?? 0) + 1;
            throw new DataFormatException(path, line, IsPrefixOfJson(text) ? "the JSON ends early: the file is truncated." : "not valid JSON here: the file is corrupt.");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new DataFormatException(path, 1, $"expected a JSON object, got {Kind(root)}.");
            var r = new Reader(path, text, root);
            return new RunSummary(path, r.Get("model", "a string", IsString, required: true)!.Value.GetString()!, r.Means("test", required: true)!,
                r.Means("valid", required: false),
                r.Get("best_epoch", "an integer", IsInt)?.GetInt32(),
                r.Get("epochs_trained", "an integer", IsInt)?.GetInt32(),
                r.Get("stopped_early", "true or false", v => v.ValueKind is JsonValueKind.True or JsonValueKind.False)?.GetBoolean(),
                r.Get("train_seconds", "a number", v => v.ValueKind == JsonValueKind.Number)?.GetDouble(),
                r.Get("valid_metric", "a string", IsString)?.GetString(),
                r.Get("test_users", "an integer", IsInt)?.GetInt32());
        }
    }

    /// <summary>Whether the text reads as JSON without error up to its end, only incomplete (a cut-off file).</summary>
    private static bool IsPrefixOfJson(string text)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text), isFinalBlock: false, state: default);
        try
        {
            while (reader.Read()) { }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool IsString(JsonElement v) => v.ValueKind == JsonValueKind.String;

    private static bool IsInt(JsonElement v) => v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out _);

    private static string Kind(JsonElement v) => v.ValueKind.ToString().ToLowerInvariant();

    /// <summary>Checked access to the root object; errors name the file, the key and the key's line.</summary>
    private readonly record struct Reader(string Path, string Text, JsonElement Root)
    {
        /// <summary>The value of <paramref name="key"/>, or null when it is absent or JSON null and not required.</summary>
        public JsonElement? Get(string key, string expected, Func<JsonElement, bool> valid, bool required = false)
        {
            if (!Root.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null)
                return required ? throw new DataFormatException(Path, 0, $"no '{key}'; it has {string.Join(", ", Root.EnumerateObject().Select(p => p.Name))}.") : null;
            if (!valid(v)) throw new DataFormatException(Path, LineOf(key), $"'{key}' must be {expected}, got {Kind(v)} {Shorten(v.GetRawText())}.");
            return v;
        }

        /// <summary>An object of metric means such as "test".</summary>
        public Dictionary<string, double>? Means(string key, bool required)
        {
            if (Get(key, "an object of metric means", v => v.ValueKind == JsonValueKind.Object, required) is not { } obj) return null;
            var means = new Dictionary<string, double>();
            foreach (var p in obj.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.Number)
                    throw new DataFormatException(Path, LineOf(p.Name, after: key), $"'{key}' metric '{p.Name}' must be a number, got {Kind(p.Value)} {Shorten(p.Value.GetRawText())}.");
                means[p.Name] = p.Value.GetDouble();
            }
            return means;
        }

        /// <summary>
        /// 1-based line of the first <c>"key":</c> in the text (after the first <c>"after":</c> if given), or 0 (no line)
        /// when it is not found. The keys are spelled as <see cref="RunDirectory.WriteResult"/> spells them.
        /// </summary>
        private int LineOf(string key, string? after = null)
        {
            int start = after is null ? 0 : Math.Max(0, Text.IndexOf(JsonSerializer.Serialize(after) + ":", StringComparison.Ordinal));
            int i = Text.IndexOf(JsonSerializer.Serialize(key) + ":", start, StringComparison.Ordinal);
            return i < 0 ? 0 : Text.AsSpan(0, i).Count('\n') + 1;
        }

        private static string Shorten(string raw) => raw.Length <= 40 ? raw : raw[..37] + "...";
    }
}
