using EmbedRec.Config;

namespace EmbedRec.Training;

/// <summary>
/// Reads back the configuration a run recorded (its <c>config.yaml</c>, or the copy in its resume state). A resolved
/// configuration names every key, so a key missing from one was added to EmbedRec after the run was written; when that
/// key's default would change what such a run did, the run reads it with the value that reproduces its behaviour.
/// </summary>
public static class RecordedConfig
{
    /// <summary>Keys added later whose default differs from how earlier runs behaved: model, key, the earlier behaviour.</summary>
    private static readonly (string Model, string Key, string Before)[] Added =
    [
        // DLR2 keeps embeddings an initializer computed from the data fixed by default (auto); before the key existed they
        // trained unless the run's freeze list named them.
        ("dlr2", "model.freeze_embeddings", "false"),
    ];

    /// <summary>The configuration recorded in the file at <paramref name="path"/>.</summary>
    public static RunConfig Read(string path)
    {
        var config = new RunConfig();
        config.LoadYaml(path);
        return Complete(config, path);
    }

    /// <summary>The configuration recorded as <paramref name="yaml"/> (errors and the values filled in name <paramref name="origin"/>).</summary>
    public static RunConfig ReadText(string yaml, string origin)
    {
        var config = new RunConfig();
        config.LoadYamlText(yaml, origin);
        return Complete(config, origin);
    }

    private static RunConfig Complete(RunConfig config, string origin)
    {
        string? model = config.Get("model.name");
        foreach (var (m, key, before) in Added)
            if (string.Equals(model, m, StringComparison.Ordinal) && config.Get(key) is null)
                config.Set(key, before, $"{origin} (written before '{key}' existed)");
        return config;
    }
}
