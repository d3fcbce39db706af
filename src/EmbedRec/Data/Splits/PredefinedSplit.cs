using EmbedRec.Data.Readers;

namespace EmbedRec.Data.Splits;

/// <summary>File layouts of predefined train/test splits.</summary>
public enum PredefinedFormat
{
    /// <summary>LightGCN/NGCF <c>train.txt</c>/<c>test.txt</c>: <c>user item item ...</c> per line.</summary>
    UserLines,

    /// <summary>CSV with header <c>user,item</c> (the DirectSpec split).</summary>
    Csv,

    /// <summary>RecBole atomic <c>.inter</c> files.</summary>
    Atomic,
}

/// <summary>
/// Reads a split that ships as files. Ids are mapped over the union of the files, so train, validation
/// and test share one id space (numeric ids keep their numeric order).
/// </summary>
public static class PredefinedSplit
{
    /// <summary>Reads train, optional validation, and test files.</summary>
    public static DataSplit Read(string trainPath, string testPath, PredefinedFormat format, string? validPath = null)
    {
        LogBuilder ReadOne(string p) => format switch
        {
            PredefinedFormat.UserLines => UserLinesReader.Read(p),
            PredefinedFormat.Csv => DelimitedReader.Read(p),
            _ => AtomicReader.Read(p),
        };
        var train = ReadOne(trainPath);
        var test = ReadOne(testPath);
        var valid = validPath is null ? null : ReadOne(validPath);
        var parts = new[] { train, valid, test }.Where(b => b is not null).Cast<LogBuilder>().ToList();
        var users = LogBuilder.MakeMap(parts.SelectMany(b => b.UserIds));
        var items = LogBuilder.MakeMap(parts.SelectMany(b => b.ItemIds));
        var trainLog = train.Build(users, items, trainPath);
        var testLog = test.Build(users, items, testPath);
        var validLog = valid?.Build(users, items, validPath) ?? new InteractionLog(users, items, [], [], source: "(no validation file)");
        var trainUsers = new bool[users.Count];
        foreach (int u in trainLog.User) trainUsers[u] = true;
        int cold = testLog.User.Distinct().Count(u => !trainUsers[u]);
        int allUsers = trainLog.User.Concat(testLog.User).Concat(validLog.User).Distinct().Count();
        return new DataSplit(trainLog, validLog, testLog,
            new SplitReport($"predefined ({Path.GetFileName(trainPath)}/{Path.GetFileName(testPath)})", allUsers, 0, "n/a", cold));
    }
}
