using EmbedRec.Config;
using EmbedRec.Data;
using EmbedRec.Data.Sampling;
using EmbedRec.Losses;
using EmbedRec.Models;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Nn;

namespace EmbedRec.Objectives;

/// <summary>How DirectSpec+'s Γ is set.</summary>
public enum GammaMode
{
    /// <summary>Γ = τ everywhere.</summary>
    Constant,

    /// <summary>τ₀ for pairs within graph distance 2 in the training interactions, τ₁ otherwise.</summary>
    Static,

    /// <summary>
    /// A learned temperature σ(wᵀ[h_u ∥ h_v]) (the paper's weaker variant), dividing the similarities as the
    /// paper's Eq. 20 writes it: Γ_uv = 1 / σ(wᵀ[h_u ∥ h_v]) ≥ 1.
    /// </summary>
    Learned,
}

/// <summary>Options of DirectSpec and DirectSpec+; defaults are the authors' CiteULike setting.</summary>
public sealed record DirectSpecOptions
{
    /// <summary>α, the strength of the spectral step (CiteULike 1.0, Gowalla 0.7, Yelp 0.8).</summary>
    public float Alpha { get; init; } = 1.0f;

    /// <summary>How Γ is set (DirectSpec+ only).</summary>
    public GammaMode Gamma { get; init; } = GammaMode.Constant;

    /// <summary>Constant τ (CiteULike 3, Gowalla 4, Yelp 3).</summary>
    public float Tau { get; init; } = 3f;

    /// <summary>Static τ₀ for related pairs (CiteULike 2.5).</summary>
    public float Tau0 { get; init; } = 2.5f;

    /// <summary>Static τ₁ for other pairs (CiteULike 3.0).</summary>
    public float Tau1 { get; init; } = 3.0f;

    /// <summary>Norm shrink factor s (x ← x·s‖x‖), or null for none (CiteULike 0.03, Gowalla 0.02).</summary>
    public float? Shrink { get; init; }

    /// <summary>L2 weight on the transformed rows.</summary>
    public float L2 { get; init; }

    /// <summary>How batches are drawn: DirectSpec's code samples users uniformly, one positive each.</summary>
    public SamplingKind Sampling { get; init; } = SamplingKind.Users;

    /// <summary>The <c>objective:</c> keys of plain DirectSpec.</summary>
    public static readonly OptionsBinder<DirectSpecOptions> PlainBinder = Common(new OptionsBinder<DirectSpecOptions>(new()));

    /// <summary>The <c>objective:</c> keys of DirectSpec+.</summary>
    public static readonly OptionsBinder<DirectSpecOptions> PlusBinder = Common(new OptionsBinder<DirectSpecOptions>(new()))
        .Choice("gamma_mode", o => o.Gamma, (o, v) => o with { Gamma = v }, "Γ: constant τ, static τ₀/τ₁ by graph distance, or learned",
            ("constant", GammaMode.Constant), ("static", GammaMode.Static), ("learned", GammaMode.Learned))
        .Float("tau", o => o.Tau, (o, v) => o with { Tau = v }, "constant τ", min: 0, exclusiveMin: true)
        .Float("tau0", o => o.Tau0, (o, v) => o with { Tau0 = v }, "static τ₀ (pairs within graph distance 2)", min: 0, exclusiveMin: true)
        .Float("tau1", o => o.Tau1, (o, v) => o with { Tau1 = v }, "static τ₁ (other pairs)", min: 0, exclusiveMin: true);

    private static OptionsBinder<DirectSpecOptions> Common(OptionsBinder<DirectSpecOptions> b) => b
        .Float("alpha", o => o.Alpha, (o, v) => o with { Alpha = v }, "α, strength of the spectral step", min: 0, exclusiveMin: true)
        .OptionalFloat("shrink", o => o.Shrink, (o, v) => o with { Shrink = v }, "norm shrink s (x ← x·s‖x‖), unset for none", min: 0, exclusiveMin: true)
        .Float("l2", o => o.L2, (o, v) => o with { L2 = v }, "L2 weight on the transformed rows", min: 0)
        .Sampling(o => o.Sampling, (o, v) => o with { Sampling = v });
}

/// <summary>
/// DirectSpec and DirectSpec+ (Peng et al., "Towards Embedding Collapse in Recommendation: A Spectral
/// Perspective"; SPEC §4) over any <see cref="IRowEncoder"/> (MF, LightGCN): each batch takes the rows of
/// the sampled users and their positives from the encoder, L2-normalizes them, applies the spectral
/// transform to each side, and minimizes −mean log σ(ĥ_uᵀĥ_i). Positive-only: the sampler's negatives
/// are drawn (so the random stream is the pairwise objectives') and unused.
/// </summary>
public sealed class DirectSpecObjective : TripletObjective
{
    private readonly IRowEncoder _encoder;
    private readonly UserItems _byUser, _byItem;
    private readonly Tensor? _gammaWeight;

    /// <summary>The smallest batch the transform is defined for.</summary>
    public const int MinimumBatchSize = 2;

    /// <summary>Creates the objective (<paramref name="plus"/>: DirectSpec+; else plain DirectSpec).</summary>
    public DirectSpecObjective(bool plus, DirectSpecOptions options, IRowEncoder encoder, ObjectiveContext context)
        : base(context, (options ?? new()).Sampling, negatives: 1)
    {
        _encoder = encoder ?? throw new ArgumentNullException(nameof(encoder));
        Options = options ?? new();
        Plus = plus;
        if (context.BatchSize < MinimumBatchSize)
            throw new ArgumentException($"train_batch_size {context.BatchSize} is too small for {Name}: it needs batches of at least {MinimumBatchSize}.");
        _byUser = context.Train;
        _byItem = Cosine.Transpose(_byUser, context.Split.ItemCount);
        if (plus && Options.Gamma == GammaMode.Learned)
        {
            _gammaWeight = Init.Uniform(Tensor.Zeros(2 * encoder.Dim), context.Rng, -0.1f, 0.1f);
            _gammaWeight.RequiresGrad = true;
            _gammaWeight.Name = "gamma_weight";
        }
    }

    /// <summary>The options.</summary>
    public DirectSpecOptions Options { get; }

    /// <summary>DirectSpec+ (true) or plain DirectSpec.</summary>
    public bool Plus { get; }

    /// <inheritdoc />
    protected override int MinimumBatch => 2;

    /// <inheritdoc />
    public override string Name => Plus ? "directspec+" : "directspec";

    /// <inheritdoc />
    public override IReadOnlyList<KeyValuePair<string, Tensor>> Parameters => _gammaWeight is null ? [] : [new("gamma_weight", _gammaWeight)];

    /// <inheritdoc />
    public override Tensor Loss(TripletBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int b = batch.Count;
        if (b < MinimumBatchSize) throw new ArgumentException($"{Name} needs batches of at least {MinimumBatchSize} pairs, got {b}.");
        var users = batch.Users.AsSpan(0, b).ToArray();
        var items = batch.Positives.AsSpan(0, b).ToArray();
        var (ru, ri) = _encoder.EncodeRows(users, items);
        var hu = Ops.L2Normalize(ru);
        var hi = Ops.L2Normalize(ri);
        var tu = Transform(hu, users, _byUser);
        var ti = Transform(hi, items, _byItem);
        var loss = Ops.Neg(Ops.Mean(Ops.LogSigmoid(Ops.RowDot(tu, ti))));
        if (Options.L2 > 0)
            loss = Ops.Add(loss, Ops.MulScalar(Ops.Add(Ops.Sum(Ops.Mul(tu, tu)), Ops.Sum(Ops.Mul(ti, ti))), Options.L2 / b));
        return loss;
    }

    private Tensor Transform(Tensor h, int[] nodes, UserItems neighbours)
    {
        Tensor t;
        if (!Plus) t = SpectralTransform.DirectSpec(h, Options.Alpha);
        else if (Options.Gamma == GammaMode.Constant) t = SpectralTransform.DirectSpecPlus(h, Options.Alpha, Options.Tau);
        else
        {
            var gamma = Options.Gamma == GammaMode.Static
                ? SpectralTransform.StaticGamma(nodes, neighbours, Options.Tau0, Options.Tau1)
                : SpectralTransform.LearnedGamma(h, _gammaWeight!);
            t = SpectralTransform.DirectSpecPlus(h, Options.Alpha, gamma);
        }
        return Options.Shrink is { } s ? SpectralTransform.NormShrink(t, s) : t;
    }

    /// <summary><c>objective: directspec</c>: H − α·HHᵀH on each batch side.</summary>
    public static readonly ObjectiveRegistration DirectSpec = ObjectiveRegistration.For<DirectSpecOptions, IRowEncoder>("directspec",
        "DirectSpec: H − α·HHᵀH on each side (Peng et al.)", DirectSpecOptions.PlainBinder, (o, m, c) => new DirectSpecObjective(false, o, m, c));

    /// <summary><c>objective: directspec+</c>: H − α·softmax_row(HHᵀ ⊙ Γ)·H on each batch side.</summary>
    public static readonly ObjectiveRegistration DirectSpecPlus = ObjectiveRegistration.For<DirectSpecOptions, IRowEncoder>("directspec+",
        "DirectSpec+: H − α·softmax(HHᵀ ⊙ Γ)·H on each side (Peng et al.)", DirectSpecOptions.PlusBinder, (o, m, c) => new DirectSpecObjective(true, o, m, c),
        aliases: ["directspec_plus"]);
}
