using EmbedRec.Data.Readers;

namespace EmbedRec.Data.Registry;

/// <summary>
/// Dataset names and where their files live: a folder per dataset under the data root, which is
/// <c>EMBEDREC_DATA</c> when set, else the per-user cache (<c>$XDG_CACHE_HOME/embedrec/data</c>,
/// default <c>~/.cache/embedrec/data</c>).
/// </summary>
public sealed class DatasetRegistry
{
    private readonly Dictionary<string, DatasetEntry> _entries = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates a registry with the given entries over <paramref name="root"/>.</summary>
    public DatasetRegistry(string root, IEnumerable<DatasetEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(root);
        Root = root;
        foreach (var e in entries) Register(e);
    }

    /// <summary>The data root.</summary>
    public string Root { get; }

    /// <summary>Known datasets.</summary>
    public IEnumerable<DatasetEntry> Entries => _entries.Values.OrderBy(e => e.Name, StringComparer.Ordinal);

    /// <summary>Adds or replaces an entry.</summary>
    public void Register(DatasetEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        _entries[entry.Name] = entry;
    }

    /// <summary>The registry with EmbedRec's datasets over the default root.</summary>
    public static DatasetRegistry Default() => new(DefaultRoot(), KnownDatasets.All);

    /// <summary><c>EMBEDREC_DATA</c>, or the per-user cache folder.</summary>
    public static string DefaultRoot()
    {
        var env = Environment.GetEnvironmentVariable("EMBEDREC_DATA");
        if (!string.IsNullOrWhiteSpace(env)) return Path.GetFullPath(env);
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrWhiteSpace(cache)) cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cache, "embedrec", "data");
    }

    /// <summary>Whether <paramref name="name"/> is registered.</summary>
    public bool Contains(string name) => _entries.ContainsKey(name);

    /// <summary>The entry named <paramref name="name"/>; the error lists the known names.</summary>
    public DatasetEntry Get(string name) =>
        _entries.TryGetValue(name, out var e) ? e
        : throw new KeyNotFoundException($"Unknown dataset '{name}'. Known datasets: {string.Join(", ", Entries.Select(x => x.Name))}.");

    /// <summary>The folder of a dataset.</summary>
    public string FolderOf(DatasetEntry entry) => Path.Combine(Root, entry.Folder);

    /// <summary>
    /// Loads a dataset by name (first layout whose files exist) or, when the name is not registered,
    /// as a path (see <see cref="DatasetLoader.LoadPath"/>, which detects the layout unless
    /// <paramref name="format"/> names it). <paramref name="columns"/> maps the columns of a delimited
    /// file. <see cref="LoadedDataset.Reason"/> says which layout was read and why.
    /// </summary>
    public LoadedDataset Load(string nameOrPath, string? format = null, ColumnMap? columns = null)
    {
        if (!_entries.TryGetValue(nameOrPath, out var entry))
        {
            if (File.Exists(nameOrPath) || Directory.Exists(nameOrPath)) return DatasetLoader.LoadPath(nameOrPath, format, columns);
            throw new KeyNotFoundException($"Unknown dataset '{nameOrPath}' (and no such file or folder). Known datasets: {string.Join(", ", Entries.Select(x => x.Name))}.");
        }
        var folder = FolderOf(entry);
        foreach (var option in entry.Layouts)
        {
            var files = option.Files.Select(f => f == "." ? folder : Path.Combine(folder, f)).ToArray();
            if (files.All(f => File.Exists(f) || Directory.Exists(f))
                && (option.Layout != DatasetLayout.MovieLens || File.Exists(Path.Combine(folder, "u.data")) || File.Exists(Path.Combine(folder, "ratings.dat"))))
            {
                var ds = DatasetLoader.Load(entry.Name, option.Layout, files, columns);
                return ds with { Reason = $"registered dataset '{entry.Name}': {ds.Reason}" };
            }
        }
        var wanted = string.Join(" or ", entry.Layouts.Select(o => string.Join(" + ", o.Layout == DatasetLayout.MovieLens ? ["u.data or ratings.dat"] : o.Files)));
        throw new FileNotFoundException($"Dataset '{entry.Name}' is not in '{folder}': expected {wanted}. " +
            (entry.Sources.Count > 0 ? $"Run 'embedrec data fetch {entry.Name}', or set EMBEDREC_DATA to a folder that has it." : "Set EMBEDREC_DATA to a folder that has it."));
    }
}
