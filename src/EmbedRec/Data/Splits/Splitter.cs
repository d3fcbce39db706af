namespace EmbedRec.Data.Splits;

/// <summary>A protocol that divides a log into train, validation and test.</summary>
public interface ISplitter
{
    /// <summary>Splits <paramref name="log"/>; deterministic for the splitter's options.</summary>
    DataSplit Split(InteractionLog log);
}

/// <summary>Shared mechanics: per-user assignment of rows to parts (0 train, 1 valid, 2 test, −1 dropped).</summary>
internal static class SplitMechanics
{
    public static DataSplit Build(InteractionLog log, sbyte[] part, string protocol, int shortUsers, ShortUserPolicy policy)
    {
        var train = new List<int>(); var valid = new List<int>(); var test = new List<int>();
        var byUser = log.ByUser();
        for (int u = 0; u < log.UserCount; u++)
            foreach (int r in byUser.Of(u))
                (part[r] switch { 0 => train, 1 => valid, 2 => test, _ => null })?.Add(r);
        var trainUsers = new bool[log.UserCount];
        foreach (int r in train) trainUsers[log.User[r]] = true;
        var coldTest = test.Select(r => log.User[r]).Distinct().Count(u => !trainUsers[u]);
        int users = log.UserCounts().Count(c => c > 0);
        string handling = policy switch { ShortUserPolicy.TrainOnly => "kept in training only", ShortUserPolicy.Drop => "dropped", _ => "error" };
        return new DataSplit(log.Select(train.ToArray()), log.Select(valid.ToArray()), log.Select(test.ToArray()),
            new SplitReport(protocol, users, shortUsers, handling, coldTest));
    }

    public static void Short(ShortUserPolicy policy, InteractionLog log, int user, int length, string need, sbyte[] part, ReadOnlySpan<int> rows)
    {
        if (policy == ShortUserPolicy.Error)
            throw new InvalidOperationException($"{log.Source ?? "The log"}: user '{log.Users[user]}' has {length} interaction(s); {need}. " +
                "Filter short users first (k-core) or choose another policy for short users.");
        foreach (int r in rows) part[r] = policy == ShortUserPolicy.Drop ? (sbyte)-1 : (sbyte)0;
    }
}
