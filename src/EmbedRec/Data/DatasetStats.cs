namespace EmbedRec.Data;

/// <summary>Summary numbers of a log.</summary>
/// <param name="Users">Users with at least one interaction.</param>
/// <param name="Items">Items with at least one interaction.</param>
/// <param name="Interactions">Rows.</param>
/// <param name="Density">Interactions / (users × items).</param>
/// <param name="LengthQuantiles">Interactions per user at quantiles 0, 0.25, 0.5, 0.75, 0.9, 1.</param>
/// <param name="MeanLength">Mean interactions per user.</param>
/// <param name="HasRatings">Whether ratings are present.</param>
/// <param name="HasTimestamps">Whether timestamps are present.</param>
/// <param name="Categories">Item categories in the log's table, null when it has none (0 is a table without names).</param>
public sealed record DatasetStats(int Users, int Items, int Interactions, double Density, IReadOnlyDictionary<string, int> LengthQuantiles,
    double MeanLength, bool HasRatings, bool HasTimestamps, int? Categories)
{
    /// <summary>Computes the numbers.</summary>
    public static DatasetStats Compute(InteractionLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var lengths = log.UserCounts().Where(c => c > 0).OrderBy(c => c).ToArray();
        int items = log.ItemCounts().Count(c => c > 0);
        var q = new Dictionary<string, int>();
        foreach (var (name, p) in new[] { ("min", 0.0), ("p25", 0.25), ("median", 0.5), ("p75", 0.75), ("p90", 0.9), ("max", 1.0) })
            q[name] = lengths.Length == 0 ? 0 : lengths[(int)Math.Round(p * (lengths.Length - 1))];
        double density = lengths.Length == 0 || items == 0 ? 0 : (double)log.Count / ((double)lengths.Length * items);
        return new DatasetStats(lengths.Length, items, log.Count, density, q, lengths.Length == 0 ? 0 : lengths.Average(),
            log.Rating is not null, log.Timestamp is not null, log.Categories?.Names.Count);
    }
}
