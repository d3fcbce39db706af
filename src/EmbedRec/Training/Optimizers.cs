using EmbedRec.Config;
using EmbedRec.Graphs;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Optim;

namespace EmbedRec.Training;

/// <summary>A registered optimizer: its <c>optimizer:</c> keys (besides the top-level learning_rate and weight_decay) and how to build it.</summary>
public sealed record OptimizerRegistration : Component
{
    /// <summary>Declares an optimizer.</summary>
    public OptimizerRegistration(string name, IReadOnlyList<string> aliases, string description, IOptionsBinder binder,
        Func<object, IReadOnlyList<KeyValuePair<string, Tensor>>, float, float, Optimizer> create) : base(name, aliases, description, binder) =>
        Create = create ?? throw new ArgumentNullException(nameof(create));

    /// <summary>Builds the optimizer over named parameters with a learning rate and a weight decay.</summary>
    public Func<object, IReadOnlyList<KeyValuePair<string, Tensor>>, float, float, Optimizer> Create { get; }
}

/// <summary>The built-in optimizers; each binds the engine's options record, whose defaults are PyTorch's.</summary>
public static class BuiltinOptimizers
{
    /// <summary>The <c>optimizer:</c> keys of Adam and AdamW.</summary>
    public static readonly OptionsBinder<AdamOptions> AdamBinder = new OptionsBinder<AdamOptions>(new())
        .Float("beta1", o => o.Beta1, (o, v) => o with { Beta1 = v }, "decay of the first moment", min: 0, max: 0.999999f)
        .Float("beta2", o => o.Beta2, (o, v) => o with { Beta2 = v }, "decay of the second moment", min: 0, max: 0.999999f)
        .Float("eps", o => o.Eps, (o, v) => o with { Eps = v }, "denominator term", min: 0, exclusiveMin: true);

    /// <summary>The <c>optimizer:</c> keys of SGD.</summary>
    public static readonly OptionsBinder<SgdOptions> SgdBinder = new OptionsBinder<SgdOptions>(new())
        .Float("momentum", o => o.Momentum, (o, v) => o with { Momentum = v }, "momentum factor", min: 0)
        .Float("dampening", o => o.Dampening, (o, v) => o with { Dampening = v }, "dampening of the momentum buffer", min: 0, max: 1)
        .Bool("nesterov", o => o.Nesterov, (o, v) => o with { Nesterov = v }, "Nesterov momentum");

    /// <summary><c>optimizer: adam</c>: Adam with L2 weight decay in the gradient (Kingma and Ba, ICLR 2015).</summary>
    public static readonly OptimizerRegistration Adam = new("adam", [], "Adam, L2 weight decay (Kingma and Ba, ICLR 2015)", AdamBinder,
        (o, ps, lr, wd) => new Adam(ps, (AdamOptions)o with { LearningRate = lr, WeightDecay = wd }));

    /// <summary><c>optimizer: adamw</c>: Adam with decoupled weight decay (Loshchilov and Hutter, ICLR 2019).</summary>
    public static readonly OptimizerRegistration AdamW = new("adamw", [], "AdamW, decoupled weight decay (Loshchilov and Hutter, ICLR 2019)", AdamBinder,
        (o, ps, lr, wd) => new AdamW(ps, (AdamOptions)o with { LearningRate = lr, WeightDecay = wd }));

    /// <summary><c>optimizer: sgd</c>.</summary>
    public static readonly OptimizerRegistration Sgd = new("sgd", [], "SGD with optional momentum, L2 weight decay", SgdBinder,
        (o, ps, lr, wd) => new Sgd(ps, (SgdOptions)o with { LearningRate = lr, WeightDecay = wd }));
}

/// <summary>Which graph SEvo smooths over.</summary>
public enum SevoGraph
{
    /// <summary>No SEvo: the plain optimizer.</summary>
    None,

    /// <summary>Item–item co-occurrence in training sequences; smooths the item rows.</summary>
    ItemItem,

    /// <summary>User–item bipartite graph; smooths user and item rows together.</summary>
    UserItem,

    /// <summary>Items sharing a category; smooths the item rows.</summary>
    Category,
}

/// <summary>The <c>optimizer.sevo:</c> section: SEvo (SPEC §3) over the configured optimizer, off by default.</summary>
public sealed record SevoSettings
{
    /// <summary>The graph (none = SEvo off).</summary>
    public SevoGraph Graph { get; init; }

    /// <summary>β, L, variant and moment correction (the engine's defaults: the papers' β 0.99, L 3).</summary>
    public SevoOptions Options { get; init; } = new();

    /// <summary>Co-occurrence graph options for the item–item graph.</summary>
    public CoOccurrenceOptions CoOccurrence { get; init; } = new();

    /// <summary>The <c>optimizer.sevo:</c> keys.</summary>
    public static readonly OptionsBinder<SevoSettings> Binder = new OptionsBinder<SevoSettings>(new())
        .Choice("graph", o => o.Graph, (o, v) => o with { Graph = v }, "graph smoothed over: none, ii (item co-occurrence), ui (user-item), category",
            ("none", SevoGraph.None), ("ii", SevoGraph.ItemItem), ("ui", SevoGraph.UserItem), ("category", SevoGraph.Category))
        .Float("beta", o => o.Options.Beta, (o, v) => o with { Options = o.Options with { Beta = v } }, "smoothing strength β in [0, 1)", min: 0, max: 0.999999f)
        .Int("layers", o => o.Options.Layers, (o, v) => o with { Options = o.Options with { Layers = v } }, "series length L", min: 0, max: 64)
        .Bool("correction", o => o.Options.MomentCorrection, (o, v) => o with { Options = o.Options with { MomentCorrection = v } }, "moment correction for rows without gradient (AdamW only, as the authors' code)")
        .Choice("variant", o => o.Options.Variant, (o, v) => o with { Options = o.Options with { Variant = v } }, "transform",
            ("rescaled", SevoVariant.RescaledNeumann), ("neumann", SevoVariant.Neumann), ("iterative", SevoVariant.Iterative))
        .OptionalInt("max_length", o => o.CoOccurrence.MaxLength, (o, v) => o with { CoOccurrence = o.CoOccurrence with { MaxLength = v } }, "co-occurrence graph: last K items per sequence (unset: all)", min: 1)
        .Int("max_distance", o => o.CoOccurrence.MaxDistance, (o, v) => o with { CoOccurrence = o.CoOccurrence with { MaxDistance = v } }, "co-occurrence graph: maximum path length H", min: 1)
        .Choice("weighting", o => o.CoOccurrence.DistanceWeighting, (o, v) => o with { CoOccurrence = o.CoOccurrence with { DistanceWeighting = v } }, "co-occurrence edge weights",
            ("distance", true), ("frequency", false));
}
