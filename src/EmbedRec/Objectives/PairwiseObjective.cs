using EmbedRec.Config;
using EmbedRec.Data.Sampling;
using EmbedRec.Losses;
using EmbedRec.Models;
using EmbedRec.Tensors;

namespace EmbedRec.Objectives;

/// <summary>Options of the pairwise objectives (<c>objective: bpr | bce | ce</c>).</summary>
public sealed record PairwiseOptions
{
    /// <summary>Sampled negatives per positive (RecBole's default 1; NeuMF's paper uses 4).</summary>
    public int Negatives { get; init; } = 1;

    /// <summary>How triples are drawn (every interaction once per epoch, as RecBole does).</summary>
    public SamplingKind Sampling { get; init; } = SamplingKind.Interactions;

    /// <summary>The <c>objective:</c> keys.</summary>
    public static readonly OptionsBinder<PairwiseOptions> Binder = new OptionsBinder<PairwiseOptions>(new())
        .Int("neg_samples", o => o.Negatives, (o, v) => o with { Negatives = v }, "sampled negatives per positive", min: 1, max: 10_000)
        .Sampling(o => o.Sampling, (o, v) => o with { Sampling = v });
}

/// <summary>
/// BPR, BCE with sampled negatives, or softmax cross-entropy over all items, on the scores of a
/// <see cref="IPairwiseScorer"/> (plus the model's own regularization term).
/// </summary>
public sealed class PairwiseObjective : TripletObjective
{
    private readonly IPairwiseScorer _model;

    /// <summary>Creates the objective.</summary>
    public PairwiseObjective(LossKind loss, PairwiseOptions options, IPairwiseScorer model, ObjectiveContext context)
        : base(context, (options ?? new()).Sampling, (options ?? new()).Negatives)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        Kind = loss;
    }

    /// <summary>The loss.</summary>
    public LossKind Kind { get; }

    /// <inheritdoc />
    public override string Name => Kind switch { LossKind.Bpr => "bpr", LossKind.Bce => "bce", _ => "ce" };

    /// <inheritdoc />
    public override Tensor Loss(TripletBatch batch) => RecLoss.Compute(Kind, _model.Forward(batch, Kind == LossKind.SoftmaxCe), batch);

    private static ObjectiveRegistration Register(string name, LossKind loss, string description, params string[] aliases) =>
        ObjectiveRegistration.For<PairwiseOptions, IPairwiseScorer>(name, description, PairwiseOptions.Binder, (o, m, c) => new PairwiseObjective(loss, o, m, c), aliases);

    /// <summary><c>objective: bpr</c>: −log σ(s⁺ − s⁻) (Rendle et al., UAI 2009).</summary>
    public static readonly ObjectiveRegistration Bpr = Register("bpr", LossKind.Bpr, "Bayesian personalized ranking −log σ(s⁺ − s⁻) (Rendle et al., UAI 2009)");

    /// <summary><c>objective: bce</c>: binary cross-entropy, label 1 for positives and 0 for sampled negatives.</summary>
    public static readonly ObjectiveRegistration Bce = Register("bce", LossKind.Bce, "binary cross-entropy on positives and sampled negatives");

    /// <summary><c>objective: ce</c>: softmax cross-entropy of the positive over all items.</summary>
    public static readonly ObjectiveRegistration Ce = Register("ce", LossKind.SoftmaxCe, "softmax cross-entropy of the positive over all items", "softmax", "softmax_ce");
}
