using EmbedRec.Config;
using EmbedRec.Data;
using EmbedRec.Models;
using EmbedRec.Tensors.Linalg;
using EmbedRec.Tensors.Sparse;

namespace EmbedRec.Initializers;

/// <summary>Options of <see cref="SvdInitializer"/>.</summary>
public sealed record SvdInitOptions
{
    /// <summary>Keep the computed vectors in the <see cref="InitCache"/> of the run's context. Default true, as for <c>leporid</c>.</summary>
    public bool Cache { get; init; } = true;

    /// <summary>
    /// Z-score each column of the user and of the item vectors (<c>normalize: zscore</c>), as the Leporid authors' DLR2 code
    /// does to every embedding it loads. Default false: U·Σ^½ and V·Σ^½ as computed, whose dot products approximate A.
    /// </summary>
    public bool ZScore { get; init; }

    /// <summary>The eigensolver's options on the Gram operator (<see cref="TruncatedSvd"/>); the engine's defaults.</summary>
    public EigenOptions Eigen { get; init; } = new();

    /// <summary>The <c>init:</c> keys.</summary>
    public static readonly OptionsBinder<SvdInitOptions> Binder = new OptionsBinder<SvdInitOptions>(new())
        .Bool("cache", o => o.Cache, (o, v) => o with { Cache = v }, "keep the computed vectors in the init cache (EMBEDREC_CACHE)")
        .Choice("normalize", o => o.ZScore, (o, v) => o with { ZScore = v }, "none: U·Σ^½ and V·Σ^½ as computed; zscore: each column to mean 0, std 1 (the Leporid authors' DLR2 input)",
            ("none", false), ("zscore", true));
}

/// <summary>
/// SVD initialization, one of the Leporid paper's baselines (SPEC §1.3): the truncated SVD A ≈ U·Σ·Vᵀ of the binary
/// training user–item matrix (duplicates counted once), users U·Σ^½ and items V·Σ^½, so that a user's and an item's
/// dot product is the rank-d approximation of A. d is the widest table's size; each table takes its first
/// <c>Dim</c> columns. Computed by block Lanczos on the Gram operator (<see cref="TruncatedSvd"/>), solver seed
/// fixed, nothing drawn from the run's generator.
/// </summary>
public sealed class SvdInitializer(SvdInitOptions options) : IInitializer, IReportsInitSides
{
    private readonly List<InitSideReport> _reports = [];

    /// <summary><c>init: svd</c>.</summary>
    public static readonly InitializerRegistration Registration = InitializerRegistration.For("svd",
        "truncated SVD of the binary user–item matrix: users U·Σ^½, items V·Σ^½", SvdInitOptions.Binder, o => new SvdInitializer(o), fromData: true);

    /// <inheritdoc />
    public string Description => $"svd(users UΣ^½, items VΣ^½{(options.ZScore ? ", zscore" : "")})";

    /// <summary>What the last <see cref="Initialize"/> computed or read (one report per side; the singular values are the same).</summary>
    public IReadOnlyList<InitSideReport> Reports => _reports;

    /// <inheritdoc />
    public void Initialize(IReadOnlyList<EmbeddingTable> tables, InitContext context)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        _reports.Clear();
        int k = Math.Max(SpectralRows.Width(tables, true), SpectralRows.Width(tables, false));
        if (k == 0) return;
        var split = context.Split;
        int nu = split.UserCount, ni = split.ItemCount;
        var fingerprint = options.Cache && context.CacheDirectory is not null ? DataFingerprint.Of(split.Train) : null;
        var e = options.Eigen;
        var t = Spectral.Cached(context, fingerprint, "svd", () =>
        {
            var r = TruncatedSvd.Compute(Binary(split.Train), k, e, context.Cancel, context.SolverProgress("svd", k));
            return Spectral.Pack([("user", Half(r.Left, r.Values, k), nu, k), ("item", Half(r.Right, r.Values, k), ni, k)], r.Values, r.Residuals, []);
        }, ("vectors", k), ("tolerance", e.Tolerance), ("max_iterations", e.MaxIterations), ("block", e.BlockSize), ("basis", e.MaxBasisSize ?? -1), ("seed", e.Seed));
        SpectralRows.Fill(tables, true, Spectral.Matrix(t, "user", nu, k), k, 1f);
        SpectralRows.Fill(tables, false, Spectral.Matrix(t, "item", ni, k), k, 1f);
        if (options.ZScore) SpectralRows.ZScoreTables(tables);
        _reports.Add(Spectral.Report(t, "user", nu, k, 0));
        _reports.Add(Spectral.Report(t, "item", ni, k, 0));
    }

    /// <summary>The training interactions as a 0/1 users × items matrix.</summary>
    public static CsrMatrix<double> Binary(InteractionLog train)
    {
        ArgumentNullException.ThrowIfNull(train);
        var sets = train.ToUserItems();
        var ones = new double[sets.PairCount];
        Array.Fill(ones, 1.0);
        return new CsrMatrix<double>(train.UserCount, train.ItemCount, (int[])sets.Offsets.Clone(), (int[])sets.Items.Clone(), ones);
    }

    private static double[] Half(double[] vectors, double[] sigma, int k)
    {
        var x = (double[])vectors.Clone();
        for (long p = 0; p < x.Length; p++) x[p] *= Math.Sqrt(sigma[p % k]);
        return x;
    }
}
