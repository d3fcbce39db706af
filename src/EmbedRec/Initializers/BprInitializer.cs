using EmbedRec.Config;
using EmbedRec.Data;
using EmbedRec.Models;
using EmbedRec.Tensors.Serialization;

namespace EmbedRec.Initializers;

/// <summary>
/// BPR-pretrained initialization, one of the Leporid paper's baselines (SPEC §1.3): the learned embeddings of a
/// finished MF run (<c>model: mf</c>, objective <c>bpr</c>) on the same data, copied as <c>pretrained</c> copies them
/// (by external id, through the row maps). The run must be finished (<c>metrics.json</c>) and its <c>data.json</c>
/// split fingerprint must equal this run's: embeddings learned on another dataset or another split are refused
/// (the test interactions of this run may have been training data there).
/// </summary>
public sealed class BprInitializer : IInitializer
{
    private readonly string _run;
    private readonly PretrainedInitializer _copy;
    private readonly bool _zscore;

    /// <summary><c>init: bpr</c>; its key is <c>init.path</c>, the run directory.</summary>
    public static readonly InitializerRegistration Registration = InitializerRegistration.For("bpr",
        "the embeddings of a finished MF-BPR run directory on the same data and split", PretrainedOptions.Binder, o => new BprInitializer(o), fromData: true);

    /// <summary>Creates the initializer; the path must be a run directory with embeddings.</summary>
    public BprInitializer(PretrainedOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = options.Path ?? throw new FormatException("init 'bpr' needs 'init.path': the directory of a finished MF-BPR run.");
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"init 'bpr': '{path}' is not a run directory.");
        _run = Path.GetFullPath(path);
        _zscore = options.ZScore;
        _copy = new PretrainedInitializer(options);
    }

    /// <inheritdoc />
    public string Description => $"bpr({_run}{(_zscore ? ", zscore" : "")})";

    /// <inheritdoc />
    public void Initialize(IReadOnlyList<EmbeddingTable> tables, InitContext context)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(context);
        if (!File.Exists(Path.Combine(_run, "metrics.json")))
            throw new InvalidDataException($"init 'bpr': '{_run}' has no metrics.json: the run is unfinished or failed.");
        var (_, meta) = SafeTensors.Read(Path.Combine(_run, EmbeddingFile.FileName));
        if (!meta.TryGetValue("model", out var model) || model != "mf")
            throw new InvalidDataException($"init 'bpr': '{_run}' is a run of model '{model ?? "unknown"}', not 'mf'.");
        var config = new RunConfig();
        var configFile = Path.Combine(_run, "config.yaml");
        if (File.Exists(configFile)) config.LoadYaml(configFile);
        var objective = config.Get("objective.name") ?? config.Get("objective");
        if (objective is not null && objective != "bpr")
            throw new InvalidDataException($"init 'bpr': '{_run}' trained MF with objective '{objective}', not 'bpr'.");
        var pin = DataPin.Read(_run)
            ?? throw new InvalidDataException($"init 'bpr': '{_run}' has no {DataPin.FileName}, so the data it was trained on cannot be checked.");
        var now = SplitFingerprint.Of(context.Split);
        if (pin.Split != now)
            throw new InvalidDataException($"init 'bpr': '{_run}' was trained on other data ({pin.Dataset}: {pin.Split.Size}, sha256 {pin.Split.Sha256[..12]}); " +
                $"this run's split is {now.Size}, sha256 {now.Sha256[..12]}. Train the MF-BPR run on this dataset and split first.");
        _copy.Initialize(tables, context);
    }
}
