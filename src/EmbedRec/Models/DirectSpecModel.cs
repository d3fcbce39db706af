using EmbedRec.Data;
using EmbedRec.Data.Sampling;
using EmbedRec.Losses;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Nn;

namespace EmbedRec.Models;

/// <summary>Which objective a <see cref="DirectSpecModel"/> trains.</summary>
public enum DirectSpecVariant
{
    /// <summary>DirectSpec: H − α·HHᵀH on each batch side.</summary>
    DirectSpec,

    /// <summary>DirectSpec+: H − α·softmax_row(HHᵀ ⊙ Γ)·H.</summary>
    DirectSpecPlus,

    /// <summary>DirectAU (Wang et al., KDD 2022): alignment + γ·uniformity, the strongest baseline DirectSpec compares with.</summary>
    DirectAu,
}

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

/// <summary>Options of <see cref="DirectSpecModel"/>; defaults are the authors' CiteULike setting.</summary>
public sealed record DirectSpecOptions
{
    /// <summary>The objective.</summary>
    public DirectSpecVariant Variant { get; init; } = DirectSpecVariant.DirectSpecPlus;

    /// <summary>α, the strength of the spectral step (CiteULike 1.0, Gowalla 0.7, Yelp 0.8).</summary>
    public float Alpha { get; init; } = 1.0f;

    /// <summary>How Γ is set.</summary>
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

    /// <summary>DirectAU's uniformity weight γ.</summary>
    public float Uniformity { get; init; } = 1f;

    /// <summary>Throws naming the bad value.</summary>
    public void Validate()
    {
        if (!(Alpha > 0)) throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "DirectSpec's α must be positive.");
        if (!(Tau > 0) || !(Tau0 > 0) || !(Tau1 > 0)) throw new ArgumentOutOfRangeException(nameof(Tau), $"τ values must be positive, got τ {Tau}, τ₀ {Tau0}, τ₁ {Tau1}.");
        if (Shrink is { } s && !(s > 0)) throw new ArgumentOutOfRangeException(nameof(Shrink), s, "The norm shrink must be positive.");
        if (!(L2 >= 0) || !(Uniformity >= 0)) throw new ArgumentOutOfRangeException(nameof(L2), "L2 and uniformity weights must be ≥ 0.");
    }
}

/// <summary>
/// Positive-only training against embedding collapse: DirectSpec and DirectSpec+ (Peng et al., "Towards
/// Embedding Collapse in Recommendation: A Spectral Perspective"; SPEC §4) and DirectAU (Wang et al., KDD 2022),
/// on an MF or LightGCN encoder. Each batch takes the rows of the sampled users and their positives from the
/// encoder's output, L2-normalizes them, applies the spectral transform to each side (or DirectAU's alignment
/// and uniformity), and minimizes −mean log σ(ĥ_uᵀĥ_i). Scoring uses the encoder's raw embeddings.
/// </summary>
public sealed class DirectSpecModel : ITrainable, ICustomLoss, IEmbeddingTables
{
    private readonly EmbeddingModel _encoder;
    private readonly UserItems _byUser, _byItem;
    private readonly Net _net;

    /// <summary>Wraps <paramref name="encoder"/> (MF or LightGCN) trained on <paramref name="train"/>.</summary>
    public DirectSpecModel(EmbeddingModel encoder, InteractionLog train, DirectSpecOptions options, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(rng);
        Options = options ?? new DirectSpecOptions();
        Options.Validate();
        _encoder = encoder;
        _byUser = train.ToUserItems();
        _byItem = Cosine.Transpose(_byUser, train.ItemCount);
        foreach (var p in encoder.Network.Parameters()) Init.XavierUniform(p, rng);
        _net = new Net(encoder.Network, encoder.Dim, Options.Gamma == GammaMode.Learned, rng);
    }

    /// <summary>The options.</summary>
    public DirectSpecOptions Options { get; }

    /// <inheritdoc />
    public string Name => Options.Variant switch { DirectSpecVariant.DirectAu => "directau", DirectSpecVariant.DirectSpec => "directspec", _ => "directspec+" } + "-" + _encoder.Name;

    /// <inheritdoc />
    public int UserCount => _encoder.UserCount;

    /// <inheritdoc />
    public int ItemCount => _encoder.ItemCount;

    /// <inheritdoc />
    public Module Network => _net;

    /// <inheritdoc />
    public LossKind DefaultLoss => LossKind.Bpr;

    /// <inheritdoc />
    public int MinimumBatchSize => 2;

    /// <inheritdoc />
    /// <remarks>DirectSpec's code samples users; DirectAU's walks the training interactions.</remarks>
    public bool SamplesUsers => Options.Variant != DirectSpecVariant.DirectAu;

    /// <summary>The encoder.</summary>
    public EmbeddingModel Encoder => _encoder;

    /// <inheritdoc />
    public Tensor? UserTable => (_encoder as IEmbeddingTables)?.UserTable;

    /// <inheritdoc />
    public Tensor? ItemTable => (_encoder as IEmbeddingTables)?.ItemTable;

    /// <inheritdoc />
    public Tensor? JointTable => (_encoder as IEmbeddingTables)?.JointTable;

    /// <inheritdoc />
    public BatchScores Forward(TripletBatch batch, bool allItems) => _encoder.Forward(batch, allItems);

    /// <inheritdoc />
    public Tensor Loss(TripletBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int b = batch.Count;
        if (b < MinimumBatchSize) throw new ArgumentException($"DirectSpec needs batches of at least {MinimumBatchSize} pairs, got {b}.");
        var users = batch.Users.AsSpan(0, b).ToArray();
        var items = batch.Positives.AsSpan(0, b).ToArray();
        var (ru, ri) = _encoder.EncodeRows(users, items);
        var hu = Ops.L2Normalize(ru);
        var hi = Ops.L2Normalize(ri);
        if (Options.Variant == DirectSpecVariant.DirectAu)
        {
            var diff = Ops.Sub(hu, hi);
            var align = Ops.Mean(Ops.Sum(Ops.Mul(diff, diff), -1));
            return Ops.Add(align, Ops.MulScalar(Ops.Add(Uniformity(hu), Uniformity(hi)), Options.Uniformity / 2f));
        }
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
        if (Options.Variant == DirectSpecVariant.DirectSpec) t = SpectralTransform.DirectSpec(h, Options.Alpha);
        else if (Options.Gamma == GammaMode.Constant) t = SpectralTransform.DirectSpecPlus(h, Options.Alpha, Options.Tau);
        else
        {
            var gamma = Options.Gamma == GammaMode.Static
                ? SpectralTransform.StaticGamma(nodes, neighbours, Options.Tau0, Options.Tau1)
                : SpectralTransform.LearnedGamma(h, _net.GammaWeight!);
            t = SpectralTransform.DirectSpecPlus(h, Options.Alpha, gamma);
        }
        return Options.Shrink is { } s ? SpectralTransform.NormShrink(t, s) : t;
    }

    /// <summary>DirectAU's uniformity: log mean over distinct pairs of exp(−2‖x_i − x_j‖²), for unit rows ‖x_i − x_j‖² = 2 − 2x_iᵀx_j.</summary>
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

    /// <inheritdoc />
    public void PrepareForScoring() => _encoder.PrepareForScoring();

    /// <inheritdoc />
    public void Score(ReadOnlySpan<int> users, Span<float> scores) => _encoder.Score(users, scores);

    /// <inheritdoc />
    public void Save(string path) => _net.Save(path, new Dictionary<string, string> { ["model"] = Name });

    /// <inheritdoc />
    public void Load(string path)
    {
        _net.Load(path);
        _encoder.PrepareForScoring();
    }

    private sealed class Net : Module
    {
        public Net(Module encoder, int dim, bool learnedGamma, Rng rng)
        {
            RegisterModule("encoder", encoder);
            if (learnedGamma) GammaWeight = RegisterParameter("gamma_weight", Init.Uniform(Tensor.Zeros(2 * dim), rng, -0.1f, 0.1f));
        }

        public Tensor? GammaWeight { get; }
    }
}
