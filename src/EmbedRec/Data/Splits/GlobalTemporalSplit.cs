namespace EmbedRec.Data.Splits;

/// <summary>
/// A global time cut: rows ordered by timestamp (file order without timestamps); the last
/// <see cref="Test"/> fraction is test, the <see cref="Valid"/> fraction before it validation.
/// Users who appear only after the cut have no training data; they are reported and, unless the
/// policy keeps them, removed from validation and test.
/// </summary>
public sealed record GlobalTemporalSplit(double Test = 0.2, double Valid = 0.1, ShortUserPolicy ShortUsers = ShortUserPolicy.Drop) : ISplitter
{
    /// <inheritdoc />
    public DataSplit Split(InteractionLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (Test <= 0 || Valid < 0 || Test + Valid >= 1)
            throw new ArgumentOutOfRangeException(nameof(Test), $"Global temporal split needs test > 0, valid ≥ 0, test + valid < 1; got {Test} and {Valid}.");
        var order = Enumerable.Range(0, log.Count).ToArray();
        if (log.Timestamp is { } ts) Array.Sort(order, (a, b) => ts[a] != ts[b] ? ts[a].CompareTo(ts[b]) : a.CompareTo(b));
        int nTest = (int)Math.Round(log.Count * Test), nValid = (int)Math.Round(log.Count * Valid);
        int trainEnd = log.Count - nTest - nValid;
        var part = new sbyte[log.Count];
        for (int k = 0; k < log.Count; k++) part[order[k]] = k < trainEnd ? (sbyte)0 : k < trainEnd + nValid ? (sbyte)1 : (sbyte)2;
        var hasTrain = new bool[log.UserCount];
        for (int r = 0; r < log.Count; r++) if (part[r] == 0) hasTrain[log.User[r]] = true;
        var shortSet = new HashSet<int>();
        for (int r = 0; r < log.Count; r++)
        {
            int u = log.User[r];
            if (hasTrain[u] || part[r] == 0) continue;
            if (shortSet.Add(u) && ShortUsers == ShortUserPolicy.Error)
                throw new InvalidOperationException($"{log.Source ?? "The log"}: user '{log.Users[u]}' has no interaction before the time cut, so no training data.");
            if (ShortUsers == ShortUserPolicy.Drop) part[r] = -1;
            else part[r] = 0;
        }
        return SplitMechanics.Build(log, part, $"global temporal cut, last {Test:0.##} test, {Valid:0.##} validation", shortSet.Count, ShortUsers);
    }
}
