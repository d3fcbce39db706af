using EmbedRec.Tensors;

namespace EmbedRec.Data.Splits;

/// <summary>
/// Per-user random split (DirectSpec/LightGCN style): of a user's n interactions, round(n·Test) go to
/// test (at least one), then round(rest·ValidShare) of the rest to validation, the remainder to
/// training. Users with fewer than two interactions are short. Seeded.
/// </summary>
public sealed record RandomRatioSplit(double Test = 0.2, double ValidShare = 0.1, ulong Seed = 0, ShortUserPolicy ShortUsers = ShortUserPolicy.TrainOnly) : ISplitter
{
    /// <inheritdoc />
    public DataSplit Split(InteractionLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (Test <= 0 || Test >= 1 || ValidShare < 0 || ValidShare >= 1)
            throw new ArgumentOutOfRangeException(nameof(Test), $"Random split needs 0 < test < 1 and 0 ≤ validation share < 1; got {Test} and {ValidShare}.");
        var part = new sbyte[log.Count];
        var byUser = log.ByUser();
        var rng = new Rng(Seed);
        int shortUsers = 0;
        for (int u = 0; u < log.UserCount; u++)
        {
            var rows = byUser.Of(u).ToArray();
            int n = rows.Length;
            if (n == 0) continue;
            if (n < 2)
            {
                shortUsers++;
                SplitMechanics.Short(ShortUsers, log, u, n, "a random split needs 2 (train and test)", part, rows);
                continue;
            }
            rng.Shuffle(rows.AsSpan());
            int nTest = Math.Clamp((int)Math.Round(n * Test, MidpointRounding.AwayFromZero), 1, n - 1);
            int nValid = Math.Min((int)Math.Round((n - nTest) * ValidShare, MidpointRounding.AwayFromZero), n - nTest - 1);
            for (int k = 0; k < n; k++) part[rows[k]] = k < nTest ? (sbyte)2 : k < nTest + nValid ? (sbyte)1 : (sbyte)0;
        }
        return SplitMechanics.Build(log, part, $"random {1 - Test:0.##}/{Test:0.##} per user (validation {ValidShare:0.##} of train), seed {Seed}", shortUsers, ShortUsers);
    }
}
