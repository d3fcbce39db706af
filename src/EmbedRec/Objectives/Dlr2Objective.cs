using EmbedRec.Config;
using EmbedRec.Data;
using EmbedRec.Data.Sampling;
using EmbedRec.Models;
using EmbedRec.Tensors;

namespace EmbedRec.Objectives;

/// <summary>Options of the DLR2 objective: the margins of its two hinge losses (SPEC §2).</summary>
public sealed record Dlr2ObjectiveOptions
{
    /// <summary>m_S of the critic's square-square loss: 0.5 in the authors' code (<c>hinge_m</c>), 0 in the paper (appendix G).</summary>
    public float MarginS { get; init; } = 0.5f;

    /// <summary>m_G of the actor's hinge loss: 0.5 in the authors' code (<c>hinge_m</c>), 0 in the paper (appendix G).</summary>
    public float MarginG { get; init; } = 0.5f;

    /// <summary>
    /// The fewest real items in a training state. Unset: the model's window l, the authors' windows (SPEC §2), so a user
    /// with at most l training items gives none. Smaller (at least 1): every later training item is also a target, its
    /// state left-padded with the zero row as scoring pads a short history, so short-history users train the network too.
    /// </summary>
    public int? MinState { get; init; }

    /// <summary>The <c>objective:</c> keys.</summary>
    public static readonly OptionsBinder<Dlr2ObjectiveOptions> Binder = new OptionsBinder<Dlr2ObjectiveOptions>(new())
        .Float("margin_s", o => o.MarginS, (o, v) => o with { MarginS = v }, "m_S: the critic pushes S(s, e⁻) above it", min: 0)
        .Float("margin_g", o => o.MarginG, (o, v) => o with { MarginG = v }, "m_G: hinge margin between the actor's distances to e⁺ and e⁻", min: 0)
        .OptionalInt("min_state", o => o.MinState, (o, v) => o with { MinState = v },
            "fewest real items in a training state (unset: the model's window, the authors' windows; smaller pads short states)", min: 1);
}

/// <summary>
/// DLR2's dual loss (SPEC §2; Zhang et al., KDD 2021, Eq. 10 and 11 with the code's per-dimension mean) over training
/// windows (<see cref="WindowBatcher"/>): with s the state of a window, e⁺ its target and e⁻ a negative,
/// L_S = mean[S(s, e⁺)² + max(m_S − S(s, e⁻), 0)²] and L_G = mean[max(mean_d (G(s) − e⁺)² − mean_d (G(s) − e⁻)² + m_G, 0)];
/// the loss is L_S + L_G. One state per window feeds both the positive and the negative (the code computes it twice on the
/// same input). Negatives are uniform over the items the user never interacted with in training, drawn anew for every
/// window of every epoch (the code keeps 100 per user and reshuffles them).
/// </summary>
public sealed class Dlr2Objective : BatchObjective<WindowBatch>
{
    private readonly Dlr2 _model;
    private readonly WindowBatcher _batcher;

    /// <summary>Creates the objective: the windows of <paramref name="context"/>'s training sequences, l from the model.</summary>
    public Dlr2Objective(Dlr2ObjectiveOptions options, Dlr2 model, ObjectiveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _model = model ?? throw new ArgumentNullException(nameof(model));
        Options = options ?? new();
        if (context.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(context), context.BatchSize, "train_batch_size must be ≥ 1.");
        var sampler = new UniformNegativeSampler(context.Train, context.Split.ItemCount);
        if (Options.MinState > model.Window)
            throw new ArgumentException($"objective.min_state = {Options.MinState} is larger than model.window = {model.Window}: a state holds at most window items.");
        _batcher = new WindowBatcher(UserSequences.From(context.Split.Train), sampler, context.BatchSize, model.Window, Options.MinState);
        if (_batcher.WindowCount == 0)
            throw new ArgumentException($"dlr2: no user has more than {_batcher.MinState} training items (objective.min_state, else model.window), so there is no training window.");
    }

    /// <summary>The options.</summary>
    public Dlr2ObjectiveOptions Options { get; }

    /// <summary>Training windows per epoch.</summary>
    public int WindowCount => _batcher.WindowCount;

    /// <inheritdoc />
    public override string Name => "dlr2";

    /// <inheritdoc />
    public override int StepsPerEpoch => _batcher.BatchesPerEpoch;

    /// <inheritdoc />
    protected override IEnumerable<WindowBatch> Batches(Rng rng) => _batcher.Epoch(rng);

    /// <inheritdoc />
    protected override WindowBatch NewBatch() => new(_batcher.BatchSize, _batcher.Window);

    /// <inheritdoc />
    protected override void Copy(WindowBatch from, WindowBatch into) => from.CopyTo(into);

    /// <inheritdoc />
    public override Tensor Loss(WindowBatch batch)
    {
        var (critic, actor) = Losses(batch);
        return Ops.Add(critic, actor);
    }

    /// <summary>L_S and L_G of a batch, with gradients recorded.</summary>
    public (Tensor Critic, Tensor Actor) Losses(WindowBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int b = batch.Count, l = batch.Window;
        if (b < 1) throw new ArgumentException("A DLR2 batch needs at least one window.");
        if (l != _model.Window) throw new ArgumentException($"Windows of {l} items for a model with window {_model.Window}.");
        var s = _model.Features(batch.Users.AsSpan(0, b).ToArray(), batch.State.AsSpan(0, b * l).ToArray()); // [B, d]
        var pos = _model.ItemEmbeddings(batch.Positive.AsSpan(0, b).ToArray());                               // [B, d]
        var neg = _model.ItemEmbeddings(batch.Negative.AsSpan(0, b).ToArray());                               // [B, d]
        var sPos = _model.Critic(s, pos);                                                                     // [B]
        var sNeg = _model.Critic(s, neg);                                                                     // [B]
        var lift = Ops.Relu(Ops.AddScalar(Ops.Neg(sNeg), Options.MarginS));
        var critic = Ops.Mean(Ops.Add(Ops.Mul(sPos, sPos), Ops.Mul(lift, lift)));
        var g = _model.Actor(s);                                                                              // [B, d]
        var dPos = Ops.Sub(g, pos);
        var dNeg = Ops.Sub(g, neg);
        var gap = Ops.Sub(Ops.Mean(Ops.Mul(dPos, dPos), 1), Ops.Mean(Ops.Mul(dNeg, dNeg), 1));               // [B]
        var actor = Ops.Mean(Ops.Relu(Ops.AddScalar(gap, Options.MarginG)));
        return (critic, actor);
    }

    /// <summary><c>objective: dlr2</c>.</summary>
    public static readonly ObjectiveRegistration Registration = ObjectiveRegistration.For<Dlr2ObjectiveOptions, Dlr2>("dlr2",
        "DLR2's critic square-square + actor hinge losses over training windows (Zhang et al., KDD 2021)", Dlr2ObjectiveOptions.Binder,
        (o, m, c) => new Dlr2Objective(o, m, c));
}
