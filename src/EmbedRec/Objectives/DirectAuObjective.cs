using EmbedRec.Config;
using EmbedRec.Data.Sampling;
using EmbedRec.Models;
using EmbedRec.Tensors;

namespace EmbedRec.Objectives;

/// <summary>Options of DirectAU; defaults from its authors' code.</summary>
public sealed record DirectAuOptions
{
    /// <summary>γ, the weight of the uniformity term (the authors tune 0.5–10; the DirectSpec paper uses 5 on CiteULike).</summary>
    public float Gamma { get; init; } = 1f;

    /// <summary>How batches are drawn: DirectAU's code walks the training interactions.</summary>
    public SamplingKind Sampling { get; init; } = SamplingKind.Interactions;

    /// <summary>The <c>objective:</c> keys.</summary>
    public static readonly OptionsBinder<DirectAuOptions> Binder = new OptionsBinder<DirectAuOptions>(new())
        .Float("gamma", o => o.Gamma, (o, v) => o with { Gamma = v }, "γ, weight of the uniformity term", min: 0)
        .Sampling(o => o.Sampling, (o, v) => o with { Sampling = v });
}

/// <summary>
/// DirectAU: Wang, Yu, Ma, Zhang, Liu and Ma, "Towards Representation Alignment and Uniformity in
/// Collaborative Filtering", KDD 2022. Alignment ‖ĥ_u − ĥ_i‖² of the L2-normalized rows of each positive pair
/// plus γ/2 times the uniformity of each side, log mean over distinct pairs of exp(−2‖x_i − x_j‖²); over any
/// <see cref="IRowEncoder"/>. The strongest baseline DirectSpec compares with.
/// </summary>
public sealed class DirectAuObjective : TripletObjective
{
    private readonly IRowEncoder _encoder;

    /// <summary>Creates the objective.</summary>
    public DirectAuObjective(DirectAuOptions options, IRowEncoder encoder, ObjectiveContext context)
        : base(context, (options ?? new()).Sampling, negatives: 1)
    {
        _encoder = encoder ?? throw new ArgumentNullException(nameof(encoder));
        Options = options ?? new();
        if (context.BatchSize < 2) throw new ArgumentException($"train_batch_size {context.BatchSize} is too small for directau: it needs batches of at least 2.");
    }

    /// <summary>The options.</summary>
    public DirectAuOptions Options { get; }

    /// <inheritdoc />
    protected override int MinimumBatch => 2;

    /// <inheritdoc />
    public override string Name => "directau";

    /// <inheritdoc />
    public override Tensor Loss(TripletBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int b = batch.Count;
        if (b < 2) throw new ArgumentException($"directau needs batches of at least 2 pairs, got {b}.");
        var (ru, ri) = _encoder.EncodeRows(batch.Users.AsSpan(0, b).ToArray(), batch.Positives.AsSpan(0, b).ToArray());
        var hu = Ops.L2Normalize(ru);
        var hi = Ops.L2Normalize(ri);
        var diff = Ops.Sub(hu, hi);
        var align = Ops.Mean(Ops.Sum(Ops.Mul(diff, diff), -1));
        return Ops.Add(align, Ops.MulScalar(Ops.Add(Uniformity(hu), Uniformity(hi)), Options.Gamma / 2f));
    }

    /// <summary>log mean over distinct pairs of exp(−2‖x_i − x_j‖²); for unit rows ‖x_i − x_j‖² = 2 − 2x_iᵀx_j.</summary>
    private static Tensor Uniformity(Tensor x)
    {
        int b = x.Dim(0);
        var sq = Ops.AddScalar(Ops.MulScalar(Ops.MatMul(x, x, transB: true), -2f), 2f);
        var k = Ops.Exp(Ops.MulScalar(sq, -2f));
        var lowerAndDiagonal = new bool[b * b];
        for (int i = 0; i < b; i++) for (int j = 0; j <= i; j++) lowerAndDiagonal[i * b + j] = true;
        var upper = Ops.MaskedFill(k, lowerAndDiagonal, [b, b], 0f);
        return Ops.Log(Ops.MulScalar(Ops.Sum(upper), 2f / (b * (b - 1f))));
    }

    /// <summary><c>objective: directau</c>.</summary>
    public static readonly ObjectiveRegistration Registration = ObjectiveRegistration.For<DirectAuOptions, IRowEncoder>("directau",
        "DirectAU: alignment + γ·uniformity (Wang et al., KDD 2022)", DirectAuOptions.Binder, (o, m, c) => new DirectAuObjective(o, m, c));
}
