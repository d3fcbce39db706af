using System.Text.Json;
using EmbedRec.Data.Readers;
using EmbedRec.Data.Splits;

namespace EmbedRec.Data;

/// <summary>
/// A split written to a folder that training loads directly: <c>train.inter</c>, <c>valid.inter</c>,
/// <c>test.inter</c> (RecBole atomic TSV with external ids), <c>users.txt</c> and <c>items.txt</c>
/// (external ids in dense-id order, so ids survive the round trip), and <c>split.json</c> (protocol,
/// report, counts). The folder is written under a temporary name and renamed into place, so a failure
/// leaves nothing that looks complete.
/// </summary>
public static class PreparedSplit
{
    /// <summary>Writes <paramref name="split"/> to <paramref name="folder"/>; an existing non-empty folder needs <paramref name="overwrite"/>.</summary>
    public static void Write(string folder, DataSplit split, string source, bool overwrite = false)
    {
        ArgumentNullException.ThrowIfNull(split);
        var full = Path.GetFullPath(folder);
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any() && !overwrite)
            throw new IOException($"'{folder}' exists and is not empty; choose another folder or replace it (--force).");
        var parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        var tmp = Path.Combine(parent, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        Directory.CreateDirectory(tmp);
        try
        {
            AtomicReader.Write(Path.Combine(tmp, "train.inter"), split.Train);
            AtomicReader.Write(Path.Combine(tmp, "valid.inter"), split.Valid);
            AtomicReader.Write(Path.Combine(tmp, "test.inter"), split.Test);
            AtomicFile.WriteAllLines(Path.Combine(tmp, "users.txt"), split.Train.Users.External);
            AtomicFile.WriteAllLines(Path.Combine(tmp, "items.txt"), split.Train.Items.External);
            var meta = new Dictionary<string, object?>
            {
                ["format"] = "embedrec-split/1",
                ["source"] = source,
                ["protocol"] = split.Report.Protocol,
                ["report"] = split.Report.ToString(),
                ["users"] = split.UserCount,
                ["items"] = split.ItemCount,
                ["train"] = split.Train.Count,
                ["valid"] = split.Valid.Count,
                ["test"] = split.Test.Count,
                ["created"] = DateTime.UtcNow.ToString("o"),
            };
            AtomicFile.WriteAllText(Path.Combine(tmp, "split.json"), JsonSerializer.Serialize(meta, new JsonSerializerOptions { WriteIndented = true }));
            if (Directory.Exists(full))
            {
                var old = full + ".old-" + Guid.NewGuid().ToString("N")[..8];
                Directory.Move(full, old);
                Directory.Move(tmp, full);
                Directory.Delete(old, true);
            }
            else Directory.Move(tmp, full);
        }
        catch
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
            throw;
        }
    }

    /// <summary>Reads a folder written by <see cref="Write"/>.</summary>
    public static DataSplit Read(string folder)
    {
        var meta = Path.Combine(folder, "split.json");
        if (!File.Exists(meta)) throw new FileNotFoundException($"'{folder}' is not a prepared split: split.json is missing.", meta);
        var users = IdMap.From(ReadIds(Path.Combine(folder, "users.txt")));
        var items = IdMap.From(ReadIds(Path.Combine(folder, "items.txt")));
        InteractionLog Part(string name)
        {
            var p = Path.Combine(folder, name);
            try { return AtomicReader.Read(p).Build(users, items, p); }
            catch (KeyNotFoundException e) { throw new DataFormatException(p, 0, e.Message + " It is not in users.txt/items.txt."); }
        }
        using var doc = JsonDocument.Parse(File.ReadAllText(meta));
        string protocol = doc.RootElement.TryGetProperty("protocol", out var pr) ? pr.GetString() ?? "" : "";
        var train = Part("train.inter");
        var valid = Part("valid.inter");
        var test = Part("test.inter");
        var trainUsers = new bool[users.Count];
        foreach (int u in train.User) trainUsers[u] = true;
        int cold = test.User.Distinct().Count(u => !trainUsers[u]);
        int all = train.User.Concat(valid.User).Concat(test.User).Distinct().Count();
        return new DataSplit(train, valid, test, new SplitReport(protocol, all, 0, "as prepared", cold));
    }

    private static IEnumerable<string> ReadIds(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Prepared split file '{path}' is missing.", path);
        return File.ReadAllLines(path).Where(l => l.Length > 0);
    }
}
