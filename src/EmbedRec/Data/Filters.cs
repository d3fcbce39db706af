namespace EmbedRec.Data;

/// <summary>Which duplicate (user, item) row to keep.</summary>
public enum DuplicatePolicy
{
    /// <summary>The earliest.</summary>
    KeepFirst,

    /// <summary>The latest.</summary>
    KeepLast,
}

/// <summary>Result of an iterative k-core filter.</summary>
/// <param name="Log">The filtered log, with ids renumbered over what remains.</param>
/// <param name="Passes">Passes until no user or item fell below its threshold.</param>
public sealed record KCoreResult(InteractionLog Log, int Passes);

/// <summary>Row filters. Each returns a new log; the input is never modified.</summary>
public static class Filters
{
    /// <summary>Keeps rows with rating ≥ <paramref name="threshold"/> (or &gt; when not inclusive).</summary>
    public static InteractionLog RatingThreshold(InteractionLog log, float threshold, bool inclusive = true)
    {
        ArgumentNullException.ThrowIfNull(log);
        var r = log.Rating ?? throw new InvalidOperationException($"{log.Source ?? "The log"} has no ratings to filter on.");
        return log.Where(k => inclusive ? r[k] >= threshold : r[k] > threshold);
    }

    /// <summary>Removes repeated (user, item) rows, keeping the chronologically first or last.</summary>
    public static InteractionLog Deduplicate(InteractionLog log, DuplicatePolicy keep = DuplicatePolicy.KeepFirst)
    {
        ArgumentNullException.ThrowIfNull(log);
        var byUser = log.ByUser();
        var keepRow = new bool[log.Count];
        var seen = new HashSet<int>();
        for (int u = 0; u < log.UserCount; u++)
        {
            seen.Clear();
            var rows = byUser.Of(u);
            if (keep == DuplicatePolicy.KeepFirst)
            {
                foreach (int r in rows) if (seen.Add(log.Item[r])) keepRow[r] = true;
            }
            else
            {
                for (int k = rows.Length - 1; k >= 0; k--) if (seen.Add(log.Item[rows[k]])) keepRow[rows[k]] = true;
            }
        }
        return log.Where(r => keepRow[r]);
    }

    /// <summary>
    /// Iterative k-core: repeatedly removes rows of users with fewer than <paramref name="userK"/>
    /// interactions and items with fewer than <paramref name="itemK"/>, until none remain; then
    /// renumbers ids over what is left. Counts are of rows (apply <see cref="Deduplicate"/> first to count distinct items).
    /// </summary>
    public static KCoreResult KCore(InteractionLog log, int userK, int itemK)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (userK < 0 || itemK < 0) throw new ArgumentOutOfRangeException(nameof(userK), $"k-core thresholds must be non-negative, got user {userK}, item {itemK}.");
        var alive = Enumerable.Repeat(true, log.Count).ToArray();
        int passes = 0;
        while (true)
        {
            passes++;
            var uc = new int[log.UserCount];
            var ic = new int[log.ItemCount];
            for (int r = 0; r < log.Count; r++) if (alive[r]) { uc[log.User[r]]++; ic[log.Item[r]]++; }
            bool changed = false;
            for (int r = 0; r < log.Count; r++)
                if (alive[r] && (uc[log.User[r]] < userK || ic[log.Item[r]] < itemK)) { alive[r] = false; changed = true; }
            if (!changed) break;
        }
        return new KCoreResult(log.Where(r => alive[r]).Compact(), passes);
    }
}
