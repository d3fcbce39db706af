using EmbedRec.Config;
using EmbedRec.Data.Splits;
using EmbedRec.Tensors;

namespace EmbedRec.Models;

/// <summary>What a model is built from: the split (its training interactions and id spaces) and the run's seeded generator.</summary>
/// <param name="Split">The data split.</param>
/// <param name="Rng">The run's generator (parameter initialization draws from it first).</param>
public sealed record ModelContext(DataSplit Split, Rng Rng);

/// <summary>
/// How the model contract test exercises a model on the built-in synthetic data: the config keys that
/// make it learn there quickly, and whether it must beat popularity.
/// </summary>
/// <param name="Settings">Dotted keys and values applied over the test's base config (e.g. "model.init_std" = "0.1").</param>
/// <param name="Epochs">Epochs for the quality check.</param>
/// <param name="BeatsPopularity">Whether the quality check asserts NDCG@10 above popularity's.</param>
/// <param name="LossRatio">
/// The contract's six-epoch training must bring the mean loss below this fraction of the first epoch's: 0.9 by default.
/// A full-softmax cross-entropy over all items (BERT4Rec) starts near ln(items) and falls only a few percent on the
/// synthetic data in six epochs, so such a model declares a looser ratio.
/// </param>
public sealed record ContractSettings(IReadOnlyDictionary<string, string> Settings, int Epochs = 25, bool BeatsPopularity = true, float LossRatio = 0.9f);

/// <summary>A registered model: its name, options record and how to build it, and how it is trained by default.</summary>
public sealed record ModelRegistration : Component
{
    /// <summary>Declares a model.</summary>
    public ModelRegistration(string name, IReadOnlyList<string> aliases, string description, IOptionsBinder binder,
        Func<object, ModelContext, IRecommender> create, string? defaultObjective = null, IReadOnlyDictionary<string, string>? objectiveDefaults = null,
        ContractSettings? contract = null)
        : base(name, aliases, description, binder)
    {
        Create = create ?? throw new ArgumentNullException(nameof(create));
        DefaultObjective = defaultObjective;
        ObjectiveDefaults = objectiveDefaults ?? new Dictionary<string, string>();
        Contract = contract ?? new ContractSettings(new Dictionary<string, string>());
    }

    /// <summary>Builds the model from its bound options.</summary>
    public Func<object, ModelContext, IRecommender> Create { get; }

    /// <summary>The objective a trainable model is trained with unless the config names one (null: fitted models).</summary>
    public string? DefaultObjective { get; }

    /// <summary>Objective keys the model's paper sets (e.g. NeuMF's 4 negatives), applied under the config's own.</summary>
    public IReadOnlyDictionary<string, string> ObjectiveDefaults { get; }

    /// <summary>What the model contract test needs.</summary>
    public ContractSettings Contract { get; }

    /// <summary>A registration whose factory takes the typed options.</summary>
    public static ModelRegistration For<TOptions>(string name, string description, OptionsBinder<TOptions> binder, Func<TOptions, ModelContext, IRecommender> create,
        string? defaultObjective = null, IReadOnlyList<string>? aliases = null, IReadOnlyDictionary<string, string>? objectiveDefaults = null, ContractSettings? contract = null)
        where TOptions : class =>
        new(name, aliases ?? [], description, binder, (o, c) => create((TOptions)o, c), defaultObjective, objectiveDefaults, contract);
}
