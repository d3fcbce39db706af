namespace EmbedRec.Data;

/// <summary>
/// Each user's items in chronological order (the order of the logs, which splits keep chronological),
/// repeats kept: what a sequence model or DLR2 may look at when it scores a user.
/// </summary>
public sealed class UserSequences : UserLists
{
    private UserSequences(int[] offsets, int[] items, int itemCount) : base(offsets, items, itemCount)
    {
    }

    /// <summary>No history for any of <paramref name="users"/> users.</summary>
    public static UserSequences Empty(int users, int items = -1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(users);
        return new UserSequences(new int[users + 1], [], items);
    }

    /// <summary>The logs' interactions per user, the logs one after another (e.g. train then validation), each in its row order.</summary>
    public static UserSequences From(params InteractionLog[] logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        if (logs.Length == 0) throw new ArgumentException("Need at least one log.", nameof(logs));
        int users = logs[0].UserCount, items = logs[0].ItemCount;
        foreach (var log in logs)
            if (log.UserCount != users || log.ItemCount != items)
                throw new ArgumentException($"Logs over different id spaces: {users} × {items} and {log.UserCount} × {log.ItemCount}.");
        var offsets = new int[users + 1];
        foreach (var log in logs) foreach (int u in log.User) offsets[u + 1]++;
        for (int u = 0; u < users; u++) offsets[u + 1] += offsets[u];
        var fill = offsets[..^1].ToArray();
        var all = new int[offsets[^1]];
        foreach (var log in logs)
            for (int r = 0; r < log.Count; r++) all[fill[log.User[r]]++] = log.Item[r];
        return new UserSequences(offsets, all, items);
    }
}
