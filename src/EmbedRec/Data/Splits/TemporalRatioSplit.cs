namespace EmbedRec.Data.Splits;

/// <summary>
/// Per-user chronological ratio split (Leporid's 70/10/20): of a user's n interactions, the first
/// ⌊n·Train⌋ train, the next ⌊n·Valid⌋ validate and the rest test. Users whose training or test
/// part would be empty are short.
/// </summary>
public sealed record TemporalRatioSplit(double Train = 0.7, double Valid = 0.1, ShortUserPolicy ShortUsers = ShortUserPolicy.TrainOnly) : ISplitter
{
    /// <summary>Test share (the rest).</summary>
    public double Test => 1 - Train - Valid;

    /// <inheritdoc />
    public DataSplit Split(InteractionLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (Train <= 0 || Valid < 0 || Train + Valid >= 1)
            throw new ArgumentOutOfRangeException(nameof(Train), $"Temporal ratios need train > 0, valid ≥ 0 and train + valid < 1; got {Train} and {Valid}.");
        var part = new sbyte[log.Count];
        var byUser = log.ByUser();
        int shortUsers = 0;
        for (int u = 0; u < log.UserCount; u++)
        {
            var rows = byUser.Of(u);
            int n = rows.Length;
            if (n == 0) continue;
            int nt = (int)Math.Floor(n * Train + 1e-9), nv = (int)Math.Floor(n * Valid + 1e-9);
            if (nt == 0 || nt + nv >= n)
            {
                shortUsers++;
                SplitMechanics.Short(ShortUsers, log, u, n, $"a {Train:0.##}/{Valid:0.##}/{Test:0.##} split needs non-empty train and test parts", part, rows);
                continue;
            }
            for (int k = 0; k < n; k++) part[rows[k]] = k < nt ? (sbyte)0 : k < nt + nv ? (sbyte)1 : (sbyte)2;
        }
        return SplitMechanics.Build(log, part, $"temporal {Train:0.##}/{Valid:0.##}/{Test:0.##} per user", shortUsers, ShortUsers);
    }
}
