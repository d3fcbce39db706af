using System.Globalization;

namespace EmbedRec.Data.Splits;

/// <summary>
/// The Leporid/DLR2 authors' per-user temporal split (Zhang et al., KDD 2021; SPEC §2 "Leporid protocol"), as
/// reverse-engineered from their shipped ML-1M validation file (no preprocessing script was published):
/// each user's n interactions in time order, ties in time broken by item id; train = the first
/// <c>int(0.7·n)</c> and validation up to <c>int(0.8·n)</c>, both in floating point as Python computes them
/// (n = 90 gives 62 training rows, not 63), test = the rest. Validation and test rows whose item never
/// occurs in training are then dropped, and the item id space keeps only the training items, numbered in
/// order of first appearance in train (users in order, each chronologically); users keep their ids.
/// </summary>
/// <remarks>
/// Item ids compare as integers when every external item id is one (MovieLens's MovieID, which is what
/// reproduces the authors' validation set best: 79% of ML-1M users exactly), else ordinally. Without
/// timestamps the file order is the time order. A user with one interaction has an empty training part
/// (int(0.7) = 0) and is short; every user with n ≥ 2 has a training and a test part.
/// </remarks>
/// <param name="ShortUsers">What happens to users with one interaction (default: kept in training only, as the other per-user splits do).</param>
public sealed record LeporidSplit(ShortUserPolicy ShortUsers = ShortUserPolicy.TrainOnly) : ISplitter
{
    /// <summary>The training share, 0.7 (the authors' 70/10/20).</summary>
    public const double TrainShare = 0.7;

    /// <summary>The end of validation as a share, 0.8.</summary>
    public const double ValidEnd = 0.8;

    /// <summary>Rows in training of a user with <paramref name="n"/> interactions: <c>int(0.7·n)</c> in double arithmetic.</summary>
    public static int TrainCount(int n) => (int)(TrainShare * n);

    /// <summary>Rows in training and validation of a user with <paramref name="n"/> interactions: <c>int(0.8·n)</c> in double arithmetic.</summary>
    public static int TrainValidCount(int n) => (int)(ValidEnd * n);

    /// <inheritdoc />
    public DataSplit Split(InteractionLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var rank = ItemRanks(log.Items);
        var ts = log.Timestamp;
        var byUser = log.ByUser();
        var part = new sbyte[log.Count];
        var ordered = new List<int>[3] { new(), new(), new() };
        int shortUsers = 0;
        for (int u = 0; u < log.UserCount; u++)
        {
            var rows = byUser.Of(u).ToArray();
            int n = rows.Length;
            if (n == 0) continue;
            if (ts is not null) Array.Sort(rows, (a, b) => ts[a] != ts[b] ? ts[a].CompareTo(ts[b]) : rank[log.Item[a]] != rank[log.Item[b]] ? rank[log.Item[a]].CompareTo(rank[log.Item[b]]) : a.CompareTo(b));
            int nt = TrainCount(n), nv = TrainValidCount(n);
            if (nt == 0)
            {
                shortUsers++;
                SplitMechanics.Short(ShortUsers, log, u, n, "the Leporid split needs int(0.7·n) ≥ 1 training rows", part, rows);
                if (ShortUsers == ShortUserPolicy.TrainOnly) ordered[0].AddRange(rows);
                continue;
            }
            for (int k = 0; k < n; k++) ordered[k < nt ? 0 : k < nv ? 1 : 2].Add(rows[k]);
        }

        // Items in order of first appearance in train; validation and test rows on other items are dropped.
        var newId = new int[log.ItemCount];
        Array.Fill(newId, -1);
        var items = new IdMap();
        foreach (int r in ordered[0])
            if (newId[log.Item[r]] < 0) newId[log.Item[r]] = items.GetOrAdd(log.Items[log.Item[r]]);
        int droppedValid = ordered[1].RemoveAll(r => newId[log.Item[r]] < 0);
        int droppedTest = ordered[2].RemoveAll(r => newId[log.Item[r]] < 0);
        var parts = ordered.Select(rows => Renumbered(log, rows, items, newId)).ToArray();

        var trainUsers = new bool[log.UserCount];
        foreach (int r in ordered[0]) trainUsers[log.User[r]] = true;
        int coldTest = ordered[2].Select(r => log.User[r]).Distinct().Count(u => !trainUsers[u]);
        int users = log.UserCounts().Count(c => c > 0);
        string handling = ShortUsers switch { ShortUserPolicy.TrainOnly => "kept in training only", ShortUserPolicy.Drop => "dropped", _ => "error" };
        string protocol = string.Create(CultureInfo.InvariantCulture,
            $"leporid 70/10/20 per user (int(0.7n), int(0.8n), ties by item id); dropped {droppedValid} validation and {droppedTest} test rows on {log.ItemCount - items.Count} items never in training");
        return new DataSplit(parts[0], parts[1], parts[2], new SplitReport(protocol, users, shortUsers, handling, coldTest));
    }

    /// <summary>Each dense item's position when items are ordered by external id (numerically when all are integers).</summary>
    private static int[] ItemRanks(IdMap items)
    {
        var order = Enumerable.Range(0, items.Count).ToArray();
        var numbers = new long[items.Count];
        bool numeric = true;
        for (int i = 0; i < items.Count && numeric; i++)
            numeric = long.TryParse(items[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out numbers[i]);
        if (numeric) Array.Sort(order, (a, b) => numbers[a].CompareTo(numbers[b]));
        else Array.Sort(order, (a, b) => string.CompareOrdinal(items[a], items[b]));
        var rank = new int[items.Count];
        for (int k = 0; k < order.Length; k++) rank[order[k]] = k;
        return rank;
    }

    private static InteractionLog Renumbered(InteractionLog log, List<int> rows, IdMap items, int[] newId)
    {
        var p = log.Select(rows.ToArray());
        var item = p.Item.Select(i => newId[i]).ToArray();
        return new InteractionLog(log.Users, items, p.User, item, p.Rating, p.Timestamp, log.Categories?.Remap(newId, items.Count), log.Source);
    }
}
