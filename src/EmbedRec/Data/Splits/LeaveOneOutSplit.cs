namespace EmbedRec.Data.Splits;

/// <summary>
/// Leave-one-out, chronological: each user's last interaction is the test item, the second-to-last
/// the validation item, the rest training (SASRec's and SEvo's protocol). Users with fewer than
/// three interactions are short.
/// </summary>
public sealed record LeaveOneOutSplit(ShortUserPolicy ShortUsers = ShortUserPolicy.TrainOnly) : ISplitter
{
    /// <inheritdoc />
    public DataSplit Split(InteractionLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var part = new sbyte[log.Count];
        var byUser = log.ByUser();
        int shortUsers = 0;
        for (int u = 0; u < log.UserCount; u++)
        {
            var rows = byUser.Of(u);
            if (rows.Length == 0) continue;
            if (rows.Length < 3)
            {
                shortUsers++;
                SplitMechanics.Short(ShortUsers, log, u, rows.Length, "leave-one-out needs 3 (train, validation, test)", part, rows);
                continue;
            }
            part[rows[^1]] = 2;
            part[rows[^2]] = 1;
        }
        return SplitMechanics.Build(log, part, "leave-one-out", shortUsers, ShortUsers);
    }
}
