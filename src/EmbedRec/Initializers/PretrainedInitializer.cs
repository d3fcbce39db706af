using EmbedRec.Config;
using EmbedRec.Data;
using EmbedRec.Models;

namespace EmbedRec.Initializers;

/// <summary>Options of <see cref="PretrainedInitializer"/>.</summary>
public sealed record PretrainedOptions
{
    /// <summary>A run directory (its <c>embeddings.safetensors</c>) or a safetensors file with <c>user</c>/<c>item</c> tensors.</summary>
    public string? Path { get; init; }

    /// <summary>
    /// Z-score each column of the copied user and item rows (<c>normalize: zscore</c>), as the Leporid authors' DLR2 code
    /// does to every embedding it loads (BPR-pretrained included). Default false: the embeddings as learned.
    /// </summary>
    public bool ZScore { get; init; }

    /// <summary>The <c>init:</c> keys.</summary>
    public static readonly OptionsBinder<PretrainedOptions> Binder = new OptionsBinder<PretrainedOptions>(new())
        .Text("path", o => o.Path, (o, v) => o with { Path = v }, "run directory or safetensors file with user/item embeddings")
        .Choice("normalize", o => o.ZScore, (o, v) => o with { ZScore = v }, "none: the embeddings as learned; zscore: each column to mean 0, std 1 (the Leporid authors' DLR2 input)",
            ("none", false), ("zscore", true));
}

/// <summary>
/// Copies user and item embeddings learned elsewhere into the model's tables, matched by kind (user rows
/// from <c>user</c>, item rows from <c>item</c>) and by external id when the file names its ids (else the
/// row counts must agree). Any id of this run missing from the file, or a different embedding size, is
/// an error that says which and how many.
/// </summary>
public sealed class PretrainedInitializer : IInitializer
{
    private readonly string _file;
    private readonly bool _zscore;

    /// <summary><c>init: pretrained</c>.</summary>
    public static readonly InitializerRegistration Registration = InitializerRegistration.For("pretrained",
        "user and item embeddings from another run directory or a safetensors file", PretrainedOptions.Binder, o => new PretrainedInitializer(o), fromData: true);

    /// <summary>Creates the initializer (checks that the source exists).</summary>
    public PretrainedInitializer(PretrainedOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = options.Path ?? throw new FormatException("init 'pretrained' needs 'init.path': a run directory or a safetensors file.");
        _zscore = options.ZScore;
        _file = Directory.Exists(path) ? System.IO.Path.Combine(path, EmbeddingFile.FileName) : path;
        if (!File.Exists(_file))
            throw new FileNotFoundException(Directory.Exists(path)
                ? $"init.path '{path}' is a directory without {EmbeddingFile.FileName}: not a finished run of an embedding model."
                : $"init.path '{path}' does not exist.", _file);
        _file = System.IO.Path.GetFullPath(_file);
    }

    /// <inheritdoc />
    public string Description => $"pretrained({_file}{(_zscore ? ", zscore" : "")})";

    /// <inheritdoc />
    public void Initialize(IReadOnlyList<EmbeddingTable> tables, InitContext context)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(context);
        var source = EmbeddingFile.Read(_file);
        foreach (var t in tables)
        {
            if (t.UserRows > 0) Copy(t, t.FirstUserRow, t.UserRows, "user", context.Split.Train.Users, source);
            if (t.ItemRows > 0) Copy(t, t.FirstItemRow, t.ItemRows, "item", context.Split.Train.Items, source);
        }
        if (_zscore) SpectralRows.ZScoreTables(tables);
    }

    private void Copy(EmbeddingTable t, int first, int count, string kind, IdMap ids,
        IReadOnlyDictionary<string, (Tensors.Tensor Rows, IReadOnlyList<string>? Ids)> source)
    {
        if (!source.TryGetValue(kind, out var s)) throw new InvalidDataException($"'{_file}' has no '{kind}' embeddings for table '{t.Name}'.");
        int d = t.Dim;
        if (s.Rows.Dim(1) != d) throw new InvalidDataException($"'{_file}': '{kind}' embeddings have size {s.Rows.Dim(1)}; table '{t.Name}' has {d}.");
        var src = s.Rows.Span;
        var dst = t.Weight.Span;
        if (s.Ids is null)
        {
            if (s.Rows.Dim(0) != count)
                throw new InvalidDataException($"'{_file}' has {s.Rows.Dim(0)} {kind} rows and no ids; this run has {count} {kind}s, so rows cannot be matched.");
            src[..(count * d)].CopyTo(dst.Slice(first * d, count * d));
            return;
        }
        var at = new Dictionary<string, int>(s.Ids.Count);
        for (int r = 0; r < s.Ids.Count; r++) at[s.Ids[r]] = r;
        var missing = Enumerable.Range(0, count).Where(i => !at.ContainsKey(ids[i])).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"{missing.Count} of this run's {count} {kind}s are not in '{_file}' (e.g. {string.Join(", ", missing.Take(3).Select(i => $"'{ids[i]}'"))}); the embeddings were learned on other data.");
        for (int i = 0; i < count; i++) src.Slice(at[ids[i]] * d, d).CopyTo(dst.Slice((first + i) * d, d));
    }
}
